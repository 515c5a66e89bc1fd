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

/**
 * A config with many problems at once reports every one, each at its own field's JSON path (what {@code
 * roundhouse validate} prints): unknown keys, wrong types and range errors of host fields, a record's own check,
 * and in plugin sections unknown fields, wrong types and several range errors of one section.
 */
class EveryProblemAtOnceTest {
  static PluginRegistry registry;

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
  void bindThrowsThemAllTogether() {
    ObjectNode tree = ConfigLoader.readTree(null);
    ConfigLoader.applyOverrides(tree, BAD);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.bind(tree, "x.json"));
    assertEquals(5, e.problems().size(), e.getMessage()); // the host's own five
    assertTrue(e.getMessage().startsWith("x.json: 5 problems"), e.getMessage());
  }

  @Test
  void aValidConfigHasNone() {
    assertEquals(List.of(), validate(List.of()));
  }
}
