package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.registry.BoundPlugins;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Fixtures for model tests: the real plugin jars, plugin components from them, array comparison. */
final class ModelKit {
  private ModelKit() {}

  /** A registry over the plugins folder the build filled with the real plugin jars. */
  static PluginRegistry registry() {
    String dir = System.getProperty("roundhouse.test.plugins");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "plugin jars not built");
    return new PluginRegistry(Path.of(dir));
  }

  static ObjectNode typed(String type) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", type);
    return n;
  }

  static PrecisionPolicy fp32(PluginRegistry reg) {
    return (PrecisionPolicy) reg.build(Kind.PRECISION, typed("fp32"), new PrecisionContext(1, 1), "precision");
  }

  /** The real softmax-topk router (aux loss on, as in the reference config). */
  static Router softmaxTopK(PluginRegistry reg, RouterContext ctx) {
    return (Router) reg.build(Kind.ROUTER, typed("softmax-topk"), ctx, "model.moe.router");
  }

  /** The plugin sections of a run with model {@code m} (other sections default), bound through {@code reg}. */
  static BoundPlugins plugins(ModelConfig m, PluginRegistry reg) {
    return BoundPlugins.bind(new RunConfig(null, null, null, null, m, null, null, null, null, null), reg);
  }

  /** max|a - b| <= tol * max(1, max|b|), same shape. */
  static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
    double err = expected.sub(actual).amaxNumber().doubleValue();
    assertTrue(err <= tol * scale, what + ": max abs difference " + err + " (scale " + scale + ")");
  }
}
