package dev.roundhouse.host.registry;

import static dev.roundhouse.host.registry.TestPluginJar.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.registry.fixtures.FixturePrecisionProvider;
import dev.roundhouse.host.registry.fixtures.FixtureRouterProvider;
import dev.roundhouse.host.registry.fixtures.OtherRouterProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second folder of real plugin jars next to the built-in one ({@code --plugins DIR}): the built-in folder
 * wins every duplicate, a stray jar is named as a duplicate, and never disables a built-in.
 */
class AddedPluginFoldersTest {
  @TempDir Path builtIn;
  @TempDir Path added;
  private Path routers;

  @BeforeEach
  void builtInJars() throws IOException {
    routers = plugin(builtIn.resolve("roundhouse-routers.jar"), "roundhouse-routers")
        .extensions(FixtureRouterProvider.class).write().toAbsolutePath();
    plugin(builtIn.resolve("roundhouse-precision.jar"), "roundhouse-precision")
        .extensions(FixturePrecisionProvider.class).write();
  }

  @Test
  void addedFolderAddsItsJarsToTheBuiltIns() throws Exception {
    Path extra = plugin(added.resolve("extra.jar"), "extra").extensions(OtherRouterProvider.class)
        .classes(FixtureRouterProvider.class).write().toAbsolutePath();
    try (PluginRegistry reg = new PluginRegistry(List.of(builtIn, added))) {
      assertEquals(List.of(), reg.problems());
      assertEquals(List.of("test-router", "test-router-b"), reg.ids(Kind.ROUTER));
      assertEquals(List.of("test-builtin", "test-fp"), reg.ids(Kind.PRECISION));
      assertEquals(extra.toString(), reg.info(Kind.ROUTER, "test-router-b").source());
      assertEquals(List.of(builtIn.toAbsolutePath(), added.toAbsolutePath()), reg.pluginsDirs());
    }
  }

  @Test
  void strayCopyUnderAnotherPluginIdIsShadowedAndTheBuiltInStillWorks() throws Exception {
    // sorts before roundhouse-routers.jar by name, but the built-in folder comes first
    Path stray = plugin(added.resolve("a-routers-copy.jar"), "routers-copy").extensions(FixtureRouterProvider.class)
        .write().toAbsolutePath();
    try (PluginRegistry reg = new PluginRegistry(List.of(builtIn, added))) {
      assertEquals(List.of(stray + ": duplicate router id 'test-router' (also in " + routers
          + ", which comes first); ignored here, so the jar is not used"), reg.problems());
      assertEquals(routers.toString(), reg.info(Kind.ROUTER, "test-router").source());
      assertEquals(List.of("roundhouse-precision", "roundhouse-routers"),
          reg.pluginInfo().stream().map(PluginInfo::id).toList());
      // the config still resolves through the built-in
      Object cfg = reg.readConfig(Kind.ROUTER, new ObjectMapper().readTree("{\"type\": \"test-router\"}"), "r");
      assertEquals("Config[topK=2, auxLossCoef=0.01]", cfg.toString());
    }
  }

  @Test
  void jarReusingABuiltInPluginIdIsSkippedAndItsNewIdsErrorNamesTheDuplicate() throws Exception {
    Path sameId = plugin(added.resolve("routers-v2.jar"), "roundhouse-routers").extensions(OtherRouterProvider.class)
        .classes(FixtureRouterProvider.class).write().toAbsolutePath();
    try (PluginRegistry reg = new PluginRegistry(List.of(builtIn, added))) {
      String line = sameId + ": duplicate plugin id 'roundhouse-routers': already loaded from " + routers
          + ", which comes first; skipped";
      assertEquals(List.of(line), reg.problems());
      assertEquals(List.of("test-router"), reg.ids(Kind.ROUTER));
      UnknownPluginException e = assertThrows(UnknownPluginException.class,
          () -> reg.provider(Kind.ROUTER, "test-router-b"));
      assertEquals("unknown router 'test-router-b'; known router ids: test-router; plugin load problems: " + line,
          e.getMessage());
      ConfigException c = assertThrows(ConfigException.class, () -> reg.readConfig(Kind.ROUTER,
          new ObjectMapper().readTree("{\"type\": \"test-router-b\"}"), "model.moe.router"));
      assertTrue(c.getMessage().startsWith("model.moe.router.type: unknown router 'test-router-b'"), c.getMessage());
      assertTrue(c.getMessage().contains("duplicate plugin id 'roundhouse-routers'"), c.getMessage());
    }
  }

  @Test
  void onlyTheAddedFolderMeansNoBuiltInJars() throws Exception {
    plugin(added.resolve("extra.jar"), "extra").extensions(OtherRouterProvider.class)
        .classes(FixtureRouterProvider.class).write();
    try (PluginRegistry reg = new PluginRegistry(added)) {
      assertEquals(List.of("test-router-b"), reg.ids(Kind.ROUTER));
      assertEquals(List.of("test-builtin"), reg.ids(Kind.PRECISION)); // the class-path one only
    }
  }

  @Test
  void sameFolderTwiceIsReadOnceAndAMissingAddedFolderIsOneLine() {
    Path missing = added.resolve("nope");
    try (PluginRegistry reg = new PluginRegistry(List.of(builtIn, builtIn, missing))) {
      assertEquals(List.of("plugins folder " + missing.toAbsolutePath() + " does not exist: nothing loaded from it"),
          reg.problems());
      assertEquals(2, reg.pluginInfo().size());
    }
  }

  @Test
  void configFieldsListDefaultsInRecordOrder() {
    try (PluginRegistry reg = new PluginRegistry(builtIn)) {
      assertEquals(List.of("topK=2", "auxLossCoef=0.01"), reg.configFields(Kind.ROUTER, "test-router"));
    }
  }
}
