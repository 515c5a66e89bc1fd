package dev.roundhouse.host.registry;

import static dev.roundhouse.host.registry.TestPluginJar.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.ApiVersion;
import dev.roundhouse.host.registry.fixtures.FixturePrecisionProvider;
import dev.roundhouse.host.registry.fixtures.FixtureRouterProvider;
import dev.roundhouse.host.registry.fixtures.OtherPrecisionProvider;
import dev.roundhouse.host.registry.fixtures.OtherRouterProvider;
import dev.roundhouse.host.registry.fixtures.ShadowBuiltInPrecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.PluginClassLoader;

/** Loads real plugin jars written into a temp folder; each bad jar sits next to a good one. */
class PluginRegistryLoadingTest {
  @TempDir Path dir;

  private Path goodJar() throws IOException {
    return plugin(dir.resolve("good.jar"), "good")
        .extensions(FixturePrecisionProvider.class, FixtureRouterProvider.class)
        .write()
        .toAbsolutePath();
  }

  @Test
  void discoversJarAndBuiltInExtensions() throws Exception {
    Path good = goodJar();
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      assertEquals(List.of(), reg.problems());
      ExtensionInfo fp = reg.info(Kind.PRECISION, "test-fp");
      assertEquals("good", fp.pluginId());
      assertEquals("1.2.3", fp.version());
      assertEquals(good.toString(), fp.source());
      assertEquals("test precision from a jar", fp.description());
      assertEquals(FixturePrecisionProvider.Config.class.getName(), fp.configType().getName());
      ExtensionInfo router = reg.info(Kind.ROUTER, "test-router");
      assertEquals(good.toString(), router.source());

      ExtensionInfo builtIn = reg.info(Kind.PRECISION, "test-builtin");
      assertEquals(PluginRegistry.BUILT_IN, builtIn.source());
      assertNull(builtIn.pluginId());

      assertEquals(List.of("test-builtin", "test-fp"), reg.ids(Kind.PRECISION));
      assertEquals(List.of("test-router"), reg.ids(Kind.ROUTER));
      assertEquals(3, reg.extensions().size());

      // the jar's copy of the class is used (plugin-first class loader), not the test class path's
      Object provider = reg.provider(Kind.PRECISION, "test-fp");
      assertTrue(provider.getClass().getClassLoader() instanceof PluginClassLoader);
      assertNotSame(FixturePrecisionProvider.class, provider.getClass());

      PluginInfo info = reg.pluginInfo().get(0);
      assertEquals(1, reg.pluginInfo().size());
      assertEquals("good", info.id());
      assertEquals("1.2.3", info.version());
      assertEquals(good, info.jar());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(good))),
          info.sha256());
    }
  }

  @Test
  void duplicateIdAcrossJarsFirstByNameWinsAndTheOtherIsNamedAsShadowed() throws Exception {
    Path a = plugin(dir.resolve("a.jar"), "a").extensions(FixtureRouterProvider.class).write().toAbsolutePath();
    Path b = plugin(dir.resolve("b.jar"), "b").extensions(FixtureRouterProvider.class).write().toAbsolutePath();
    plugin(dir.resolve("good.jar"), "good").extensions(FixturePrecisionProvider.class).write();
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      assertEquals(1, reg.problems().size(), reg.problems().toString());
      String line = reg.problems().get(0);
      assertTrue(line.startsWith(b + ": duplicate router id 'test-router' (also in " + a + ", which comes first)"),
          line);
      assertTrue(line.endsWith("so the jar is not used"), line);
      assertEquals(a.toString(), reg.info(Kind.ROUTER, "test-router").source());
      assertTrue(reg.ids(Kind.PRECISION).contains("test-fp"));
      assertEquals(List.of("a", "good"), reg.pluginInfo().stream().map(PluginInfo::id).toList());
    }
  }

  @Test
  void duplicateOfBuiltInKeepsTheBuiltInAndNamesTheJar() throws Exception {
    Path shadow = plugin(dir.resolve("shadow.jar"), "shadow")
        .extensions(ShadowBuiltInPrecision.class).classes(FixturePrecisionProvider.class).write().toAbsolutePath();
    goodJar();
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      assertEquals(1, reg.problems().size(), reg.problems().toString());
      String line = reg.problems().get(0);
      assertTrue(line.startsWith(shadow + ": duplicate precision id 'test-builtin' (also in built-in"), line);
      assertEquals(List.of("test-builtin", "test-fp"), reg.ids(Kind.PRECISION));
      assertEquals(PluginRegistry.BUILT_IN, reg.info(Kind.PRECISION, "test-builtin").source());
    }
  }

  @Test
  void incompatibleApiVersionIsOneLineNamingTheJar() throws Exception {
    Path old = plugin(dir.resolve("future.jar"), "future").manifest("Plugin-Requires", ">=9.0.0")
        .extensions(FixtureRouterProvider.class).write().toAbsolutePath();
    plugin(dir.resolve("good.jar"), "good").extensions(FixturePrecisionProvider.class).write();
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      assertEquals(1, reg.problems().size(), reg.problems().toString());
      String line = reg.problems().get(0);
      assertTrue(line.startsWith(old + ": "), line);
      assertTrue(line.contains("requires API '>=9.0.0'") && line.contains("provides API " + ApiVersion.CURRENT), line);
      assertEquals(List.of(), reg.ids(Kind.ROUTER));
      assertTrue(reg.ids(Kind.PRECISION).contains("test-fp"));
      assertEquals(List.of("good"), reg.pluginInfo().stream().map(PluginInfo::id).toList());
    }
  }

  @Test
  void corruptAndTruncatedJarsAreOneLineEach() throws Exception {
    Path good = goodJar();
    byte[] junk = new byte[4096];
    new Random(1).nextBytes(junk);
    Path random = Files.write(dir.resolve("random.jar"), junk).toAbsolutePath();
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = Files.write(dir.resolve("truncated.jar"), Arrays.copyOf(bytes, bytes.length / 2)).toAbsolutePath();
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      assertEquals(2, reg.problems().size(), reg.problems().toString());
      assertProblem(reg, random, "not a valid jar file");
      assertProblem(reg, truncated, "not a valid jar file");
      assertEquals(List.of("test-builtin", "test-fp"), reg.ids(Kind.PRECISION));
      assertEquals(List.of("test-router"), reg.ids(Kind.ROUTER));
    }
  }

  @Test
  void jarWithoutExtensionsAndNonPluginJarAreOneLineEach() throws Exception {
    goodJar();
    Path empty = plugin(dir.resolve("empty.jar"), "empty").classes(FixtureRouterProvider.class).noIndex().write()
        .toAbsolutePath();
    Path library = plugin(dir.resolve("library.jar"), null).classes(FixtureRouterProvider.class).write()
        .toAbsolutePath();
    Files.writeString(dir.resolve("README.txt"), "not a jar, ignored");
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      assertEquals(2, reg.problems().size(), reg.problems().toString());
      assertProblem(reg, empty, "has no Roundhouse extensions (the jar has no META-INF/extensions.idx)");
      assertProblem(reg, library, "not a plugin jar: its manifest has no Plugin-Id");
      assertEquals(List.of("test-router"), reg.ids(Kind.ROUTER));
      assertEquals(List.of("good"), reg.pluginInfo().stream().map(PluginInfo::id).toList());
    }
  }

  @Test
  void samePluginIdInTwoJarsLoadsTheFirstByNameOnly() throws Exception {
    goodJar();
    Path again = plugin(dir.resolve("zz-good-copy.jar"), "good").extensions(FixturePrecisionProvider.class).write()
        .toAbsolutePath();
    try (PluginRegistry reg = new PluginRegistry(dir)) {
      assertEquals(1, reg.problems().size(), reg.problems().toString());
      assertProblem(reg, again, "duplicate plugin id 'good': already loaded from " + dir.resolve("good.jar").toAbsolutePath());
      assertEquals(List.of("test-router"), reg.ids(Kind.ROUTER));
    }
  }

  @Test
  void closeStopsSeveralPluginsWithoutConcurrentModification() throws Exception {
    goodJar();
    plugin(dir.resolve("other.jar"), "other").extensions(OtherPrecisionProvider.class)
        .classes(FixturePrecisionProvider.class).write();
    plugin(dir.resolve("third.jar"), "third").extensions(OtherRouterProvider.class)
        .classes(FixtureRouterProvider.class).write();
    plugin(dir.resolve("fourth.jar"), "fourth").extensions(OtherRouterProvider.class)
        .classes(FixtureRouterProvider.class).write();
    PluginRegistry reg = new PluginRegistry(dir);
    // PF4J 3.15.0's own stopPlugins() throws ConcurrentModificationException from 3 started plugins on
    // ("fourth" only shadows "third", so it is unloaded again)
    assertEquals(3, reg.pluginInfo().size());
    reg.close();
    reg.close(); // idempotent
  }

  @Test
  void missingFolderLeavesBuiltInsAndSaysSo() {
    Path missing = dir.resolve("nope");
    try (PluginRegistry reg = new PluginRegistry(missing)) {
      assertEquals(List.of("test-builtin"), reg.ids(Kind.PRECISION));
      assertEquals(1, reg.problems().size());
      assertTrue(reg.problems().get(0).contains(missing.toAbsolutePath().toString()), reg.problems().get(0));
    }
  }

  private static void assertProblem(PluginRegistry reg, Path jar, String reason) {
    long n = reg.problems().stream().filter(l -> l.startsWith(jar + ": ") && l.contains(reason)).count();
    assertEquals(1, n, "one line for " + jar.getFileName() + " saying '" + reason + "' in " + reg.problems());
  }
}
