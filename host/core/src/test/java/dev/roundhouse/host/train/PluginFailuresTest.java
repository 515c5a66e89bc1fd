package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginFailureException;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real plugin jar whose component throws from build(), its constructor, forward or backward, or returns a wrong
 * shape: the run fails with a PluginFailureException naming plugin id, version and jar; the run directory keeps its
 * records, ends with run_failed and is unlocked; the host (this JVM) trains the next run fine.
 */
class PluginFailuresTest {
  @TempDir static Path tmp;
  static PluginRegistry registry;
  static Path jar;

  @BeforeAll
  static void open() throws Exception {
    registry = FaultPlugins.registry(tmp.resolve("plugins"));
    jar = FaultPlugins.faultsJar(tmp.resolve("plugins")).toAbsolutePath().normalize();
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  static String[] faulty(String fail) {
    return new String[] {"model.attention={\"type\": \"faulty\", \"fail\": \"" + fail + "\"}", "train.steps=3",
        "train.evalEvery=3", "train.checkpointEvery=3"};
  }

  private static void assertNamesPlugin(PluginFailureException e, String... fragments) {
    String m = e.getMessage();
    assertTrue(m.startsWith("plugin '" + FaultPlugins.PLUGIN_ID + "' " + FaultPlugins.VERSION + " (jar " + jar + ")"),
        m);
    assertEquals(FaultPlugins.PLUGIN_ID, e.pluginId());
    assertEquals(jar.toString(), e.jar());
    for (String f : fragments) {
      assertTrue(m.contains(f), "'" + f + "' missing in: " + m);
    }
  }

  /** The only run directory under {@code root}: its metrics end with run_failed naming the plugin, it is unlocked. */
  private static void assertRecorded(Path root, String fragment) throws IOException {
    Path dir;
    try (Stream<Path> s = Files.list(root)) {
      dir = s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    assertTrue(Files.isRegularFile(dir.resolve("config.json")));
    List<RunEvent> ev = MetricsReader.read(dir.resolve("metrics.jsonl"));
    RunEvent.RunFailed f = (RunEvent.RunFailed) ev.get(ev.size() - 1);
    assertTrue(f.error().contains(FaultPlugins.PLUGIN_ID) && f.error().contains(jar.toString())
        && f.error().contains(fragment), f.error());
    assertEquals(PluginFailureException.class.getName(), f.errorType());
    try (RunDirectory reopened = RunDirectory.open(dir)) {
      assertTrue(reopened.isOpen(), "the failed run must release its lock");
    }
  }

  @Test
  void buildAndConstructorFailuresNameThePluginAndKeepTheRecords() throws Exception {
    for (String fail : List.of("build", "constructor")) {
      Path root = tmp.resolve("runs-" + fail);
      PluginFailureException e = assertThrows(PluginFailureException.class,
          () -> Runs.create(TinyRuns.tiny(faulty(fail)), registry, root, new EventBus()));
      assertNamesPlugin(e, "attention 'faulty'", "model.attention", fail + " exploded");
      assertRecorded(root, fail + " exploded");
    }
  }

  @Test
  void forwardBackwardAndShapeFailuresNameThePluginAndKeepTheRecords() throws Exception {
    for (String fail : List.of("forward", "backward", "shape")) {
      Path root = tmp.resolve("runs-" + fail);
      Runs.Prepared p = Runs.create(TinyRuns.tiny(faulty(fail)), registry, root, new EventBus());
      PluginFailureException e = assertThrows(PluginFailureException.class, () -> Runs.execute(p));
      String expected = fail.equals("shape") ? "attention 'faulty' returned shape" : fail + " exploded";
      assertNamesPlugin(e, expected);
      assertRecorded(root, expected);
      assertTrue(Files.isRegularFile(p.run().directory().provenanceFile()));
    }
    // the host is unharmed: a good run in the same process trains to the end
    Runs.Prepared ok = Runs.create(TinyRuns.tiny(faulty("none")), registry, tmp.resolve("runs-ok"), new EventBus());
    assertFalse(Runs.execute(ok).stopped());
  }

  @Test
  void withShardsAPluginFailureStillNamesThePlugin() throws Exception {
    for (String fail : List.of("forward", "backward")) {
      Path root = tmp.resolve("runs-dp-" + fail);
      Runs.Prepared p = Runs.create(TinyRuns.tiny(concat(faulty(fail), "train.dataParallel=2")), registry, root,
          new EventBus());
      PluginFailureException e = assertThrows(PluginFailureException.class, () -> Runs.execute(p));
      assertNamesPlugin(e, fail + " exploded");
      assertRecorded(root, fail + " exploded");
    }
    Runs.Prepared ok = Runs.create(TinyRuns.tiny(concat(faulty("none"), "train.dataParallel=2")), registry,
        tmp.resolve("runs-dp-ok"), new EventBus());
    assertFalse(Runs.execute(ok).stopped());
  }

  @Test
  void aParameterMadeWithoutTheFactoryCannotBeShardedAndIsNamed() {
    Runs.Prepared one = Runs.create(TinyRuns.tiny(faulty("unshared")), registry, tmp.resolve("runs-unshared-1"),
        new EventBus());
    assertFalse(Runs.execute(one).stopped());
    RuntimeException e = assertThrows(RuntimeException.class, () -> Runs.create(
        TinyRuns.tiny(concat(faulty("unshared"), "train.dataParallel=2")), registry, tmp.resolve("runs-unshared-2"),
        new EventBus()));
    assertTrue(e.getMessage().contains("layers.0.attn.own") && e.getMessage().contains("ParameterFactory")
        && e.getMessage().contains("train.dataParallel"), e.getMessage());
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  @Test
  void providerWhoseConstructorThrowsIsAProblemNamingItsJarAndOthersLoad() {
    assertTrue(registry.problems().stream().anyMatch(p -> p.contains("throwing-ctor.jar")
        && p.contains("ThrowingRouterProvider") && p.contains("provider constructor exploded")),
        registry.problems().toString());
    assertTrue(registry.ids(dev.roundhouse.host.registry.Kind.ATTENTION).containsAll(List.of("faulty", "mha")));
  }
}
