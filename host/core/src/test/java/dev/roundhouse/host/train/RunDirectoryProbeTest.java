package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.CheckpointStore;
import dev.roundhouse.host.run.RunDirectoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outside probe, run directories and data: resume refuses, before training, what cannot continue the same run: data
 * files changed since the checkpoint (named; {@code forceDataChange} resumes), checkpoints that were written but are
 * all damaged or deleted ({@code restart} starts over), a directory that is not a run directory or has a broken
 * config.json; a metrics record that cannot be written (a real ENOSPC from /dev/full) fails the run with the OS reason.
 */
class RunDirectoryProbeTest {
  @TempDir static Path tmp;
  static PluginRegistry registry;

  @BeforeAll
  static void open() {
    registry = TinyRuns.registry();
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  static Path trainOn(Path data, String name, String... more) {
    String[] sets = Stream.concat(Stream.of("name=" + name, "train.steps=4", "train.checkpointEvery=2",
        "train.evalEvery=4", "data.path=" + data), Stream.of(more)).toArray(String[]::new);
    Runs.Prepared p = Runs.create(TinyRuns.tiny(sets), registry, tmp.resolve("runs"), new EventBus());
    Runs.execute(p);
    return p.run().directory().root();
  }

  static Path corpus(String name, int bytes) throws IOException {
    Path f = tmp.resolve(name);
    StringBuilder sb = new StringBuilder();
    java.util.Random r = new java.util.Random(bytes);
    while (sb.length() < bytes) {
      sb.append((char) ('a' + r.nextInt(26)));
      if (r.nextInt(6) == 0) {
        sb.append(r.nextInt(10) == 0 ? '\n' : ' ');
      }
    }
    Files.writeString(f, sb.substring(0, bytes));
    return f;
  }

  @Test
  void resumeRefusesChangedDataNamingTheFileUnlessForced() throws Exception {
    Path data = corpus("mut.txt", 20_000);
    Path dir = trainOn(data, "mut");
    // same size, one byte different: only the hash can tell
    byte[] b = Files.readAllBytes(data);
    b[5000] = (byte) (b[5000] == 'x' ? 'y' : 'x');
    Files.write(data, b);
    RunDirectoryException e = assertThrows(RunDirectoryException.class,
        () -> Runs.resume(dir, registry, new EventBus(), Runs.ResumeOptions.STRICT));
    assertTrue(e.getMessage().contains(data.toString() + ": content differs (same size, 20000 bytes)")
        && e.getMessage().contains("--force-data-change"), e.getMessage());
    // grown file: sizes named
    Files.write(data, "more text\n".getBytes(), StandardOpenOption.APPEND);
    e = assertThrows(RunDirectoryException.class,
        () -> Runs.resume(dir, registry, new EventBus(), Runs.ResumeOptions.STRICT));
    assertTrue(e.getMessage().contains("20000 -> 20010 bytes"), e.getMessage());
    assertFalse(Files.list(dir.resolve("checkpoints")).anyMatch(p -> p.getFileName().toString().startsWith(".")));
    Runs.Prepared forced = Runs.resume(dir, registry, new EventBus(), new Runs.ResumeOptions(false, true, false));
    assertEquals(4, forced.startStep());
    forced.run().directory().close();
  }

  @Test
  void aFolderOfDataIsFingerprintedFileByFile() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("folder"));
    Files.copy(corpus("part-a.txt", 12_000), folder.resolve("a.txt"));
    Files.copy(corpus("part-b.txt", 9_000), folder.resolve("b.txt"));
    Path dir = trainOn(folder, "folder");
    Files.copy(folder.resolve("a.txt"), folder.resolve("c.txt"));
    RunDirectoryException e = assertThrows(RunDirectoryException.class,
        () -> Runs.resume(dir, registry, new EventBus(), Runs.ResumeOptions.STRICT));
    assertTrue(e.getMessage().contains(folder.resolve("c.txt") + ": new file"), e.getMessage());
    Files.delete(folder.resolve("c.txt"));
    Files.delete(folder.resolve("b.txt"));
    e = assertThrows(RunDirectoryException.class,
        () -> Runs.resume(dir, registry, new EventBus(), Runs.ResumeOptions.STRICT));
    assertTrue(e.getMessage().contains(folder.resolve("b.txt") + ": no longer read"), e.getMessage());
  }

  @Test
  void allCheckpointsDamagedOrDeletedIsRefusedUnlessRestart() throws Exception {
    Path dir = trainOn(corpus("c.txt", 20_000), "damaged");
    try (Stream<Path> s = Files.list(dir.resolve("checkpoints"))) {
      for (Path step : s.toList()) {
        byte[] t = Files.readAllBytes(step.resolve(CheckpointStore.TENSORS_FILE));
        t[t.length / 2] ^= 0x10;
        Files.write(step.resolve(CheckpointStore.TENSORS_FILE), t);
      }
    }
    RunDirectoryException e = assertThrows(RunDirectoryException.class,
        () -> Runs.resume(dir, registry, new EventBus(), Runs.ResumeOptions.STRICT));
    assertTrue(e.getMessage().contains("no usable checkpoint") && e.getMessage().contains("is damaged")
        && e.getMessage().contains("--restart"), e.getMessage());
    deleteTree(dir.resolve("checkpoints"));
    e = assertThrows(RunDirectoryException.class,
        () -> Runs.resume(dir, registry, new EventBus(), Runs.ResumeOptions.STRICT));
    assertTrue(e.getMessage().contains("empty or gone"), e.getMessage());
    Runs.Prepared again = Runs.resume(dir, registry, new EventBus(), new Runs.ResumeOptions(false, false, true));
    assertEquals(0, again.startStep());
    again.run().directory().close();
  }

  @Test
  void notARunDirectoryOrABrokenConfigIsNamedBeforeAnythingOpens() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertTrue(assertThrows(RunDirectoryException.class, () -> Runs.resume(empty, registry, new EventBus(), false))
        .getMessage().contains("not a run directory (it has no config.json)"));
    assertFalse(Files.exists(empty.resolve(".lock")), "nothing may be written into a folder that is no run");
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertTrue(assertThrows(RunDirectoryException.class, () -> Runs.resume(file, registry, new EventBus(), false))
        .getMessage().contains("is a file"));
    Path broken = Files.createDirectories(tmp.resolve("broken"));
    Files.writeString(broken.resolve("config.json"), "{\"name\": ");
    String m = assertThrows(RunDirectoryException.class, () -> Inference.open(broken, registry)).getMessage();
    assertTrue(m.startsWith(broken.resolve("config.json") + ": malformed JSON at line 1"), m);
  }

  @Test
  void aMetricsRecordThatCannotBeWrittenFailsTheRunWithTheOsReason() throws Exception {
    Path full = Path.of("/dev/full");
    Assumptions.assumeTrue(Files.isWritable(full), "/dev/full (writes fail with ENOSPC) not available");
    Runs.Prepared p = Runs.create(TinyRuns.tiny("name=diskfull", "train.steps=3"), registry, tmp.resolve("runs"),
        new EventBus());
    Path metrics = p.run().directory().metricsFile();
    Files.deleteIfExists(metrics);
    Files.createSymbolicLink(metrics, full);
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Runs.execute(p));
    assertTrue(e.getMessage().contains("metrics file") && e.getMessage().contains("No space left on device"),
        e.getMessage());
    assertEquals(0, p.trainer().step(), "no step may train without its record");
    assertFalse(p.run().directory().isOpen());
  }

  @Test
  void nonFiniteValuesAreNeverWrittenAsStrings() {
    Runs.Prepared p = Runs.create(TinyRuns.tiny("name=nan-record", "train.steps=1"), registry, tmp.resolve("runs"),
        new EventBus());
    p.run().events().subscribe(e -> {
      if (e instanceof RunEvent.Step s && s.step() == 1) {
        p.run().events().publish(new RunEvent.Eval(1, Double.NaN, Double.POSITIVE_INFINITY));
      }
    });
    Runs.execute(p);
    try {
      String text = Files.readString(p.run().directory().metricsFile());
      assertFalse(text.contains("NaN") || text.contains("Infinity"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<RunEvent> events = MetricsReader.read(p.run().directory().metricsFile());
    assertTrue(events.stream().anyMatch(ev -> ev instanceof RunEvent.Eval ev2 && Double.isNaN(ev2.valLoss())),
        "a null read back into a double is NaN");
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
