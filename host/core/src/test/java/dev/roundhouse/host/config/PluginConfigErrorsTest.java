package dev.roundhouse.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.train.RunFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  // A config with many problems at once reports every one, each at its own field's JSON path: unknown keys,
  // wrong types and range errors of host fields, a record's own check, and in plugin sections unknown fields,
  // wrong types and several range errors of one section.

  static final List<String> BAD = List.of(
      "model.colour=blue",                       // unknown host key
      "train.steps=\"many\"",                    // host type error
      "model.nLayers=\"four\"",                  // a second host type error in the same record
      "model.dModel=-8",                         // host range error
      "data.valFraction=2",                      // a record's own check (DataSpec)
      "optimizer.lrr=0.1",                       // unknown plugin field
      "optimizer.beta1=2",                       // plugin range error
      "optimizer.eps=-1",                        // a second range error in the same plugin section
      "model.moe.router.auxLossCoef=\"high\"");  // plugin type error

  /** What {@code roundhouse validate} reports: the host's problems, then those of every plugin section. */
  static List<String> validate(List<String> overrides) {
    ObjectNode tree = ConfigLoader.readTree(null);
    ConfigLoader.applyOverrides(tree, overrides);
    ConfigLoader.Bound b = ConfigLoader.bindAll(tree);
    List<String> all = new ArrayList<>(b.problems());
    assertNotNull(b.config(), "bound with defaults where fields were wrong");
    RunFactory.pluginProblems(b.config(), registry).stream().filter(p -> !all.contains(p)).forEach(all::add);
    return all;
  }

  @Test
  void everyProblemIsReportedAtItsOwnField() {
    List<String> p = validate(BAD);
    for (String path : List.of("model.colour", "train.steps", "model.nLayers", "model.dModel", "data.valFraction",
        "optimizer.lrr", "optimizer.beta1", "optimizer.eps", "model.moe.router.auxLossCoef")) {
      long hits = p.stream().filter(s -> s.startsWith(path + ":")).count();
      assertEquals(1, hits, "one problem at " + path + " in\n" + String.join("\n", p));
    }
    assertEquals(9, p.size(), String.join("\n", p));
  }

  @Test
  void aPrecisionSectionsWrongFieldsAreEachReported() {
    List<String> p = validate(List.of("precision.type=fp16-dynamic-scale", "precision.initScale=-1",
        "precision.growthInterval=0", "precision.backoffFactor=2"));
    for (String path : List.of("precision.initScale", "precision.growthInterval", "precision.backoffFactor")) {
      assertEquals(1, p.stream().filter(s -> s.startsWith(path + ":")).count(), path + " in\n" + String.join("\n", p));
    }
    assertEquals(3, p.size(), String.join("\n", p));
  }

  @Test
  void bindThrowsThemAllTogether() {
    ObjectNode tree = ConfigLoader.readTree(null);
    ConfigLoader.applyOverrides(tree, BAD);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.bind(tree, "x.json"));
    assertEquals(5, e.problems().size(), e.getMessage()); // the host's own five
    assertTrue(e.getMessage().startsWith("x.json: 5 problems"), e.getMessage());
  }

  @Test
  void aValidConfigHasNoProblemAtAll() {
    assertEquals(List.of(), validate(List.of()));
  }
}
