package dev.roundhouse.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.train.RunFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin sections are checked through the registry (real plugin jars); problems name JSON paths. */
class PluginConfigErrorsTest {
  static PluginRegistry registry;
  @TempDir Path runs;

  @BeforeAll
  static void open() {
    String dir = System.getProperty("roundhouse.test.plugins");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "plugin jars not built");
    registry = new PluginRegistry(Path.of(dir));
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  static List<String> problems(String... overrides) {
    return RunFactory.pluginProblems(ConfigLoader.load(null, List.of(overrides)), registry);
  }

  static String only(List<String> problems, String pathPrefix) {
    List<String> hits = problems.stream().filter(p -> p.startsWith(pathPrefix + ":")).toList();
    assertEquals(1, hits.size(), "one problem at " + pathPrefix + " expected in " + problems);
    return hits.get(0);
  }

  @Test
  void referenceConfigHasNoPluginProblems() {
    assertEquals(List.of(), problems());
  }

  @Test
  void unknownPluginIdsNameThePathAndListKnownIdsAllTogether() {
    List<String> p = problems("model.moe.router.type=switch-v9", "optimizer.type=nadamw",
        "model.attention={\"type\":\"flash\"}");
    assertEquals(3, p.size(), p.toString());
    String router = only(p, "model.moe.router.type");
    assertTrue(router.contains("switch-v9") && router.contains("softmax-topk"), router);
    String opt = only(p, "optimizer.type");
    assertTrue(opt.contains("nadamw") && opt.contains("adamw"), opt);
    String attn = only(p, "model.attention.type");
    assertTrue(attn.contains("flash") && attn.contains("mha"), attn);
  }

  @Test
  void missingTypeIsNamedAndListsKnownIds() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("precision={}")));
    assertTrue(e.problems().get(0).startsWith("precision: must be an object with a \"type\""), e.getMessage());
    String p = only(problems("precision={\"type\":\"\"}"), "precision.type");
    assertTrue(p.contains("fp32"), p);
  }

  @Test
  void buildTimeChecksNameTheirField() {
    String p = only(problems("model.attention={\"type\":\"mha\",\"nKvHeads\":0}"), "model.attention.nKvHeads");
    assertTrue(p.contains("0"), p);
  }

  @Test
  void badPluginFieldNamesItsFullPath() {
    String p = only(problems("model.moe.router.auxLossCoef=-1"), "model.moe.router.auxLossCoef");
    assertTrue(p.contains("-1"), p);
    p = only(problems("optimizer.beta1=1.5"), "optimizer.beta1");
    assertTrue(p.contains("1.5"), p);
  }

  @Test
  void unknownAndMistypedPluginFieldsNameTheirPath() {
    String p = only(problems("model.moe.router.auxCoef=0.1"), "model.moe.router.auxCoef");
    assertTrue(p.contains("auxLossCoef"), "should list the known fields: " + p);
    only(problems("optimizer.lr=fast"), "optimizer.lr");
  }

  @Test
  void perLayerAttentionPathsAreNamed() {
    List<String> p = problems("model.nLayers=2", "model.attentionLayers=[null, {\"type\":\"mha\",\"ropeFraction\":2}]");
    only(p, "model.attentionLayers[1].ropeFraction");
  }

  @Test
  void createRefusesABadPluginConfigBeforeMakingADirectory() throws Exception {
    RunConfig cfg = ConfigLoader.load(null, List.of("model.moe.router.auxLossCoef=-1", "optimizer.type=nadamw"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> RunFactory.create(cfg, registry, runs, new dev.roundhouse.host.metrics.EventBus()));
    assertEquals(2, e.problems().size(), e.problems().toString());
    try (var s = Files.list(runs)) {
      assertEquals(0, s.count(), "no run directory for an invalid config");
    }
  }

  @Test
  void dataSectionProblemsNameTheirField() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, List.of("data.valFraction=1.5")));
    assertTrue(e.problems().get(0).startsWith("data"), e.problems().toString());
    assertTrue(e.problems().get(0).contains("valFraction"), e.problems().toString());
  }
}
