package dev.roundhouse.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config errors name their file, line/column or JSON path; semantic problems are reported together. */
class ConfigLoaderErrorsTest {
  @TempDir Path dir;

  static ConfigException fails(String... overrides) {
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of(overrides)));
  }

  static void assertHasProblem(ConfigException e, String pathPrefix, String... fragments) {
    String hit = e.problems().stream().filter(p -> p.startsWith(pathPrefix + ":")).findFirst().orElse(null);
    assertTrue(hit != null, "no problem at " + pathPrefix + " in " + e.problems());
    for (String f : fragments) {
      assertTrue(hit.contains(f), "problem '" + hit + "' should mention '" + f + "'");
    }
  }

  @Test
  void malformedJsonNamesFileLineAndColumn() throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\n  \"name\": \"x\",\n  \"model\": { \"dModel\": 32,, }\n}\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of()));
    assertEquals(1, e.problems().size());
    String p = e.problems().get(0);
    assertTrue(p.startsWith("malformed JSON at line 3, column 27"), p);
    assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
  }

  @Test
  void trailingContentAfterTheTopLevelObjectIsMalformed() throws Exception {
    Path f = dir.resolve("trailing.json");
    Files.writeString(f, "{\"name\": \"x\"}\n}\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of()));
    assertTrue(e.problems().get(0).startsWith("malformed JSON at line 2"), e.problems().toString());
  }

  @Test
  void missingFileAndNonObjectTopLevelAreNamed() throws Exception {
    Path missing = dir.resolve("nope.json");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, List.of()));
    assertEquals(missing + ": file not found", e.getMessage());
    Path array = dir.resolve("array.json");
    Files.writeString(array, "[1, 2]");
    e = assertThrows(ConfigException.class, () -> ConfigLoader.load(array, List.of()));
    assertTrue(e.getMessage().contains("top level must be a JSON object"), e.getMessage());
  }

  @Test
  void unknownKeysAreNamedByTheirJsonPathAllTogether() {
    ConfigException e = fails("model.moe.topk=3", "train.stepz=10", "colour=1");
    assertEquals(3, e.problems().size(), e.problems().toString());
    assertHasProblem(e, "model.moe.topk", "unknown key", "topK");
    assertHasProblem(e, "train.stepz", "unknown key", "steps");
    assertHasProblem(e, "colour", "unknown key");
  }

  @Test
  void typeMismatchNamesThePath() {
    assertHasProblem(fails("model.dModel=abc"), "model.dModel");
    assertHasProblem(fails("train.steps=1.5"), "train.steps");
    assertHasProblem(fails("model.moe.capacityFactor=[1]"), "model.moe.capacityFactor");
  }

  /** A wrong JSON type reads "expected a number, got ..." rather than Jackson's own text. */
  @Test
  void typeMismatchIsSaidInUserTerms() {
    assertEquals(List.of("model.dModel: expected an integer, got \"abc\""), fails("model.dModel=abc").problems());
    assertEquals(List.of("model.moe.capacityFactor: expected a number, got \"wide\""),
        fails("model.moe.capacityFactor=wide").problems());
    assertEquals(List.of("model.moe.capacityFactor: expected a number, got a list"),
        fails("model.moe.capacityFactor=[1]").problems());
    assertEquals(List.of("train.steps: expected an integer, got 1.5"), fails("train.steps=1.5").problems());
    assertEquals(List.of("model.tieEmbeddings: expected true or false, got \"maybe\""),
        fails("model.tieEmbeddings=maybe").problems());
    assertEquals(List.of("train.steps: 99999999999999 is out of range: at most 2147483647"),
        fails("train.steps=99999999999999").problems());
  }

  @Test
  void semanticProblemsAreReportedTogether() {
    ConfigException e = fails("model.moe.routedExperts=4", "model.moe.topK=5", "model.dModel=32", "model.nHeads=3",
        "train.schedule=linear", "train.dtype=half", "name=bad name");
    assertEquals(5, e.problems().size(), e.problems().toString());
    assertHasProblem(e, "model.moe.topK", "routedExperts=4", "5");
    assertHasProblem(e, "model.nHeads", "dModel=32", "3");
    assertHasProblem(e, "train.schedule", "cosine, wsd, constant");
    assertHasProblem(e, "train.dtype", "half");
    assertHasProblem(e, "name");
    assertTrue(e.getMessage().contains("5 problems"), e.getMessage());
  }

  @Test
  void rangeChecksNameTheirField() {
    ConfigException e = fails("model.moe.firstDenseLayers=9", "model.moe.capacityFactor=0", "train.minLrFrac=2",
        "model.globalEvery=2");
    assertHasProblem(e, "model.moe.firstDenseLayers");
    assertHasProblem(e, "model.moe.capacityFactor", "dropless");
    assertHasProblem(e, "train.minLrFrac");
    assertHasProblem(e, "model.globalAttention", "required");
  }

  @Test
  void overridesParseNumbersStringsBooleansAndNull() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject("model").putObject("moe").putObject("router").put("type", "softmax-topk");
    ConfigLoader.applyOverrides(root, List.of("train.steps=12", "optimizer.lr=3e-4", "name=my-run",
        "data.path=null", "model.tieEmbeddings=true", "model.moe.router.auxLossCoef=0.5", "seed=007",
        "name2=2024 notes", "quoted=\"42\"", "obj={\"type\": \"mha\"}", "empty=\"\""));
    JsonNode steps = root.at("/train/steps");
    assertTrue(steps.isInt() && steps.intValue() == 12, steps.toString());
    assertTrue(root.at("/optimizer/lr").isDouble() && root.at("/optimizer/lr").doubleValue() == 3e-4);
    assertEquals("my-run", root.get("name").textValue());
    assertTrue(root.at("/data").has("path") && root.at("/data/path").isNull());
    assertTrue(root.at("/model/tieEmbeddings").booleanValue());
    assertEquals(0.5, root.at("/model/moe/router/auxLossCoef").doubleValue());
    assertEquals("softmax-topk", root.at("/model/moe/router/type").textValue(), "siblings are kept");
    assertEquals("007", root.get("seed").textValue(), "not JSON, so a string");
    assertEquals("2024 notes", root.get("name2").textValue(), "trailing text is not dropped");
    assertEquals("42", root.get("quoted").textValue());
    assertEquals("mha", root.at("/obj/type").textValue());
    assertEquals("", root.get("empty").textValue(), "an empty string must be quoted: a bare empty value is refused");

    RunConfig cfg = ConfigLoader.load(null, List.of("train.steps=12", "data.path=null", "model.moe.capacityFactor=1.25"));
    assertEquals(12, cfg.train().steps());
    assertEquals(null, cfg.data().path());
    assertEquals(1.25, cfg.model().moe().capacityFactor());
    assertTrue(ConfigLoader.load(null, List.of("model.moe.capacityFactor=null")).model().moe().capacityFactor() == null);
  }

  @Test
  void malformedOverrideIsNamed() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, List.of("train.steps")));
    assertTrue(e.getMessage().startsWith("--set train.steps: expected key.path=value"), e.getMessage());
  }

  @Test
  void embeddedDefaultIsTheReferenceConfig() {
    RunConfig cfg = ConfigLoader.load(null, List.of());
    assertEquals(256, cfg.model().dModel());
    assertEquals(16, cfg.model().moe().routedExperts());
    assertEquals(400, cfg.train().steps());
    assertEquals(null, cfg.model().moe().capacityFactor());
  }
}
