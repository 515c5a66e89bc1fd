package dev.roundhouse.host.registry;

import dev.roundhouse.host.config.ConfigException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Parameter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads the project's own plugin jars, which the build copies to the folder in system property
 * {@code roundhouse.test.plugins} (host/core/target/test-plugins; run through the reactor with -am).
 */
class BuiltPluginJarsTest {
  @Test
  void findsFp32AndAdamWInTheBuiltJars() throws Exception {
    String prop = System.getProperty("roundhouse.test.plugins");
    assumeTrue(prop != null, "roundhouse.test.plugins not set");
    Path dir = Path.of(prop);
    File[] jars = dir.toFile().listFiles((d, n) -> n.endsWith(".jar"));
    assumeTrue(jars != null && jars.length > 0, "no built plugin jars in " + dir);
    ObjectMapper json = new ObjectMapper();
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      ExtensionInfo fp32 = reg.info(Kind.PRECISION, "fp32");
      ExtensionInfo adamw = reg.info(Kind.OPTIMIZER, "adamw");
      assertEquals(dir.resolve("roundhouse-precision.jar").toAbsolutePath().toString(), fp32.source());
      assertEquals(dir.resolve("roundhouse-optimizers.jar").toAbsolutePath().toString(), adamw.source());
      assertEquals("roundhouse-optimizers", adamw.pluginId());
      assertEquals("AdamWConfig", adamw.configType().getSimpleName());
      for (String line : reg.problems()) {
        assertTrue(!line.contains("roundhouse-precision.jar") && !line.contains("roundhouse-optimizers.jar"), line);
      }
      assertTrue(reg.pluginInfo().stream().allMatch(p -> p.sha256().length() == 64 && Files.exists(p.jar())));

      PrecisionPolicy fp = (PrecisionPolicy) reg.build(Kind.PRECISION, json.readTree("{\"type\": \"fp32\"}"),
          new PrecisionContext(1, 0), "precision");
      assertEquals(1.0, fp.lossScale());

      ConfigException bad = assertThrows(ConfigException.class, () -> reg.readConfig(Kind.OPTIMIZER,
          json.readTree("{\"type\": \"adamw\", \"lr\": -1}"), "optim"));
      assertTrue(bad.getMessage().startsWith("optim.lr: must be a finite number > 0"), bad.getMessage());

      // the plugin's optimizer really steps a host-made parameter: p = 1 - lr * sign(g) on step 1
      Parameter p = new Parameter("w", ParamRole.OTHER, Nd4j.createFromArray(1.0, 1.0));
      Optimizer opt = (Optimizer) reg.build(Kind.OPTIMIZER, json.readTree("{\"type\": \"adamw\", \"lr\": 0.1}"),
          new OptimizerContext("all", List.of(p), x -> false), "optim");
      p.addGrad(Nd4j.createFromArray(0.5, -2.0));
      opt.step(1.0);
      assertEquals(0.9, p.data().getDouble(0), 1e-6);
      assertEquals(1.1, p.data().getDouble(1), 1e-6);
    }
  }
}
