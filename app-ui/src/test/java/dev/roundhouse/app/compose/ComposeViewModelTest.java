package dev.roundhouse.app.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.Fixtures;
import dev.roundhouse.app.Registries;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.registry.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Compose ViewModel against the real plugin jars, without the FX toolkit. */
class ComposeViewModelTest {
  @TempDir
  Path tmp;
  private Registries registries;
  private ComposeViewModel vm;

  @BeforeEach
  void open() {
    registries = new Registries(Fixtures.builtPlugins());
    vm = new ComposeViewModel(registries);
  }

  @AfterEach
  void close() {
    registries.close();
  }

  @Test
  void defaultConfigIsValidWithEstimate() {
    assertTrue(vm.problems().isEmpty(), vm.problems().toString());
    assertTrue(vm.estimateProperty().get().contains("active per token"), vm.estimateProperty().get());
    assertEquals("16", vm.field("model.moe.routedExperts").textProperty().get());
    assertEquals("softmax-topk", vm.pluginSections().get(2).selectedProperty().get());
  }

  @Test
  void crossFieldWarningsUnsavedMarkerAndFixedChoices() throws Exception {
    vm.load(Fixtures.tinyConfigFile(tmp, "warn", 20));
    assertEquals(1, vm.warnings().size(), vm.warnings().toString());
    assertTrue(vm.warnings().get(0).startsWith("train.checkpointEvery: 1000 > train.steps 20"), vm.warnings().get(0));
    assertTrue(!vm.unsavedProperty().get(), "just loaded");
    vm.field("train.checkpointEvery").textProperty().set("10");
    vm.field("train.warmupSteps").textProperty().set("20");
    vm.field("model.moe.topK").textProperty().set("4");
    assertTrue(vm.problems().isEmpty(), "warnings do not block: " + vm.problems());
    assertEquals(2, vm.warnings().size(), vm.warnings().toString());
    assertTrue(vm.warnings().get(0).startsWith("train.warmupSteps:"), vm.warnings().toString());
    assertTrue(vm.warnings().stream().anyMatch(w -> w.startsWith("model.moe.topK:")), vm.warnings().toString());
    assertTrue(vm.unsavedProperty().get(), "edited");
    vm.save(tmp.resolve("saved.json"));
    assertTrue(!vm.unsavedProperty().get(), "saved");
    assertEquals(java.util.List.of("cosine", "wsd", "constant"), ComposeViewModel.choices("train.schedule"));
    assertNull(ComposeViewModel.choices("train.steps"));
  }

  @Test
  void pluginFormComesFromTheConfigRecordWithDefaults() {
    FieldModel coef = vm.field("model.moe.router.zLossCoef");
    assertNotNull(coef, "router form has the record's zLossCoef component");
    assertEquals(FieldSpec.FieldType.DECIMAL, coef.spec().type());
    assertEquals("0.0", coef.spec().defaultText());
    FieldModel lr = vm.field("optimizer.lr");
    assertEquals("0.003", lr.textProperty().get());
    assertEquals("0.001", lr.spec().defaultText());
  }

  /** Choosing another plugin resets its fields to that plugin's defaults, as the registry describes them. */
  @Test
  void pluginChangeResetsFieldsToTheNewPluginsDefaults() {
    PluginSection optimizer = vm.pluginSections().get(4);
    assertEquals("adamw", optimizer.selectedProperty().get());
    assertEquals("0.003", vm.field("optimizer.lr").textProperty().get(), "the default config sets adamw's lr");
    optimizer.selectedProperty().set("lion");
    FieldModel lr = vm.field("optimizer.lr");
    assertEquals("", lr.textProperty().get(), "adamw's lr must not carry over to lion");
    List<String> described = registries.get().configFields(Kind.OPTIMIZER, "lion");
    assertTrue(described.contains("lr=" + lr.spec().defaultText()), lr.spec().defaultText() + " vs " + described);
    assertEquals("{\"type\":\"lion\"}", vm.tree().get("optimizer").toString());
    assertEquals(1e-4, ((Number) readLr(vm.validConfig().optimizer())).doubleValue(), 1e-12);
    // back to adamw: its defaults, not the value the default config file had
    optimizer.selectedProperty().set("adamw");
    assertEquals("", vm.field("optimizer.lr").textProperty().get());
    assertEquals("0.001", vm.field("optimizer.lr").spec().defaultText());
  }

  /** A file without plugin sections shows the providers the host fills in, with their registry defaults. */
  @Test
  void absentPluginSectionsShowTheHostsDefaultProviders() throws Exception {
    Path bare = tmp.resolve("bare.json");
    java.nio.file.Files.writeString(bare, "{\"name\": \"bare\", \"train\": {\"steps\": 5}}");
    vm.load(bare);
    RunConfig host = dev.roundhouse.host.config.ConfigLoader.load(bare, List.of());
    assertEquals(host.model().attention().get("type").asText(), vm.pluginSections().get(0).selectedProperty().get());
    assertEquals(PluginSection.NONE, vm.pluginSections().get(1).selectedProperty().get(), "global attention is optional");
    assertEquals(host.model().moe().router().get("type").asText(), vm.pluginSections().get(2).selectedProperty().get());
    assertEquals(host.precision().get("type").asText(), vm.pluginSections().get(3).selectedProperty().get());
    assertEquals(host.optimizer().get("type").asText(), vm.pluginSections().get(4).selectedProperty().get());
    assertEquals("", vm.field("optimizer.lr").textProperty().get());
    assertTrue(registries.get().configFields(Kind.OPTIMIZER, host.optimizer().get("type").asText())
        .contains("lr=" + vm.field("optimizer.lr").spec().defaultText()));
    assertTrue(vm.problems().isEmpty(), vm.problems().toString());
  }

  private Object readLr(com.fasterxml.jackson.databind.JsonNode optimizerNode) {
    Record cfg = (Record) registries.get().readConfig(Kind.OPTIMIZER, optimizerNode, "optimizer");
    for (var c : cfg.getClass().getRecordComponents()) {
      if (c.getName().equals("lr")) {
        try {
          return c.getAccessor().invoke(cfg);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
    throw new AssertionError("no lr in " + cfg);
  }

  /** A value of the wrong type is said in user terms, on the field, for host and plugin fields alike. */
  @Test
  void typeErrorsAreReadable() {
    vm.field("train.warmupSteps").textProperty().set("x");
    assertEquals("train.warmupSteps: expected an integer, got \"x\"", vm.field("train.warmupSteps").problemProperty().get(),
        vm.problems().toString());
    vm.field("train.warmupSteps").textProperty().set("");
    vm.field("optimizer.lr").textProperty().set("abc");
    assertEquals("optimizer.lr: expected a number, got \"abc\"", vm.field("optimizer.lr").problemProperty().get(),
        vm.problems().toString());
  }

  @Test
  void hostProblemLandsOnItsField() {
    vm.field("model.moe.topK").textProperty().set("99");
    assertTrue(vm.field("model.moe.topK").problemProperty().get().contains("must be in [1, routedExperts=16]"),
        vm.problems().toString());
    assertNull(vm.field("model.dModel").problemProperty().get());
    assertThrows(IllegalStateException.class, vm::validConfig);
    vm.field("model.moe.topK").textProperty().set("2");
    assertTrue(vm.problems().isEmpty());
    assertNull(vm.field("model.moe.topK").problemProperty().get());
  }

  @Test
  void typeErrorAndPluginValidatorProblemsLandOnTheirFields() {
    vm.field("model.dModel").textProperty().set("wide");
    assertNotNull(vm.field("model.dModel").problemProperty().get(), vm.problems().toString());
    vm.field("model.dModel").textProperty().set("");
    vm.field("model.moe.router.auxLossCoef").textProperty().set("-1");
    String p = vm.field("model.moe.router.auxLossCoef").problemProperty().get();
    assertNotNull(p, "plugin record validation names the field: " + vm.problems());
    assertTrue(p.contains(">= 0"), p);
  }

  @Test
  void unknownPluginIdIsReported() {
    PluginSection precision = vm.pluginSections().get(3);
    precision.selectedProperty().set("fp64-imaginary");
    assertNotNull(precision.problemProperty().get(), vm.problems().toString());
    assertTrue(precision.problemProperty().get().contains("fp64-imaginary"));
  }

  @Test
  void saveAndLoadRoundTrip() throws Exception {
    vm.load(Fixtures.tinyConfigFile(tmp, "tiny-ui", 7));
    assertEquals("7", vm.field("train.steps").textProperty().get());
    vm.field("model.moe.router.zLossCoef").textProperty().set("0.001");
    Path out = tmp.resolve("saved.json");
    vm.save(out);
    ComposeViewModel again = new ComposeViewModel(registries);
    again.load(out);
    assertEquals("0.001", again.field("model.moe.router.zLossCoef").textProperty().get());
    RunConfig cfg = again.validConfig();
    assertEquals(7, cfg.train().steps());
    assertEquals(4, cfg.model().moe().routedExperts());
  }

  @Test
  void estimateCountsOnlyTopKRoutedExperts() {
    ModelEstimate all = ModelEstimate.of(256, 32, 16, 2, 1, 64, 4, 4, 16, 1, 32, false);
    ModelEstimate two = ModelEstimate.of(256, 32, 16, 2, 1, 64, 4, 2, 16, 1, 32, false);
    assertEquals(all.totalParams(), two.totalParams());
    assertEquals(2L * 3 * 32 * 16, all.activeParams() - two.activeParams());
    assertEquals(all.totalParams() - 256 * 32 + 32, all.activeParams());
  }
}
