package dev.roundhouse.host.registry;

import dev.roundhouse.host.config.ConfigException;
import static dev.roundhouse.host.registry.TestPluginJar.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.registry.fixtures.FixturePrecisionProvider;
import dev.roundhouse.host.registry.fixtures.FixtureRouterProvider;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {"type": id, ...} configs into plugin records loaded from a jar, and the error paths. */
class PluginRegistryConfigTest {
  @TempDir static Path dir;
  private static PluginRegistry reg;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void load() throws Exception {
    plugin(dir.resolve("good.jar"), "good")
        .extensions(FixturePrecisionProvider.class, FixtureRouterProvider.class).write();
    reg = new PluginRegistry(dir);
    assertEquals(0, reg.problems().size(), reg.problems().toString());
  }

  @AfterAll
  static void close() {
    reg.close();
  }

  @Test
  void readsFieldsAndDefaultsIntoTheJarsRecord() throws Exception {
    Object cfg = reg.readConfig(Kind.ROUTER, json("{\"type\": \"test-router\", \"topK\": 4}"), "model.router");
    assertEquals("Config", cfg.getClass().getSimpleName());
    assertEquals(4, component(cfg, "topK"));
    assertEquals(0.01, component(cfg, "auxLossCoef"));
    Object empty = reg.readConfig(Kind.PRECISION, json("{\"type\": \"test-builtin\"}"), "precision");
    assertEquals(0, empty.getClass().getRecordComponents().length);
  }

  @Test
  void validationErrorNamesTheJsonPathOfTheField() {
    ConfigException e = assertThrows(ConfigException.class, () ->
        reg.readConfig(Kind.ROUTER, json("{\"type\": \"test-router\", \"auxLossCoef\": -1}"), "model.router"));
    assertEquals("model.router.auxLossCoef: must be >= 0", e.getMessage());
  }

  @Test
  void unknownFieldIsRejectedWithKnownFields() {
    ConfigException e = assertThrows(ConfigException.class, () ->
        reg.readConfig(Kind.ROUTER, json("{\"type\": \"test-router\", \"topk\": 2}"), "model.router"));
    assertTrue(e.getMessage().startsWith("model.router.topk: unknown field for router 'test-router'"), e.getMessage());
    assertTrue(e.getMessage().contains("topK, auxLossCoef"), e.getMessage());
  }

  @Test
  void wrongValueTypeNamesTheField() {
    ConfigException e = assertThrows(ConfigException.class, () ->
        reg.readConfig(Kind.ROUTER, json("{\"type\": \"test-router\", \"topK\": [1]}"), "model.router"));
    assertTrue(e.getMessage().startsWith("model.router.topK: "), e.getMessage());
  }

  @Test
  void missingOrUnknownTypeListsTheKnownIds() {
    ConfigException missing = assertThrows(ConfigException.class, () ->
        reg.readConfig(Kind.PRECISION, json("{\"scale\": 2}"), "precision"));
    assertEquals("precision.type: missing; known precision ids: test-builtin, test-fp", missing.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () ->
        reg.readConfig(Kind.PRECISION, json("{\"type\": \"bf16\"}"), "precision"));
    assertEquals("precision.type: unknown precision 'bf16'; known precision ids: test-builtin, test-fp",
        unknown.getMessage());
    ConfigException notObject = assertThrows(ConfigException.class, () ->
        reg.readConfig(Kind.PRECISION, json("\"fp32\""), "precision"));
    assertTrue(notObject.getMessage().startsWith("precision: expected an object"), notObject.getMessage());
  }

  @Test
  void providerLookupListsKnownIds() {
    UnknownPluginException e = assertThrows(UnknownPluginException.class, () -> reg.provider(Kind.ROUTER, "nope"));
    assertEquals("unknown router 'nope'; known router ids: test-router", e.getMessage());
    assertEquals(Kind.ROUTER, e.kind());
  }

  @Test
  void buildReadsConfigAndCallsTheProvider() throws Exception {
    PrecisionPolicy p = (PrecisionPolicy) reg.build(Kind.PRECISION,
        json("{\"type\": \"test-fp\", \"scale\": 8}"), new PrecisionContext(2, 1), "training.precision");
    assertEquals(8.0, p.lossScale());
    ConfigException bad = assertThrows(ConfigException.class, () -> reg.build(Kind.PRECISION,
        json("{\"type\": \"test-fp\", \"scale\": 0}"), new PrecisionContext(2, 1), "training.precision"));
    assertEquals("training.precision.scale: must be > 0, got 0.0", bad.getMessage());
    ConfigException fromBuild = assertThrows(ConfigException.class, () -> reg.build(Kind.PRECISION,
        json("{\"type\": \"test-fp\"}"), new PrecisionContext(0, 1), "training.precision"));
    assertEquals("training.precision: nLayers must be > 0, got 0", fromBuild.getMessage());
    assertThrows(IllegalArgumentException.class, () -> reg.build(Kind.PRECISION,
        json("{\"type\": \"test-fp\"}"), "not a context", "training.precision"));
  }

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Object component(Object record, String name) throws Exception {
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      if (c.getName().equals(name)) {
        return c.getAccessor().invoke(record);
      }
    }
    throw new AssertionError("no component " + name + " in " + record);
  }
}
