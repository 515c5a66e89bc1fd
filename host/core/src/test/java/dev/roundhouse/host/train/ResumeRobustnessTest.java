package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.RunDirectoryLockedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume after after-the-fact checkpoint damage (fallback with a warning, exact losses), the run-directory lock seen
 * through {@link Runs}, two runs trained at once on two threads, run names that try to leave the runs folder, and
 * models too large for memory.
 */
class ResumeRobustnessTest {
  @TempDir static Path tmp;
  static PluginRegistry registry;
  static List<Double> reference;

  @BeforeAll
  static void open() throws Exception {
    registry = TinyRuns.registry();
    reference = TrainerEndToEndTest.stepLosses(TrainerEndToEndTest.train(registry, tmp.resolve("ref"), small()));
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  static String[] small() {
    return new String[] {"train.steps=12", "train.checkpointEvery=3", "train.evalEvery=12", "train.keepCheckpoints=4"};
  }

  @Test
  void truncatedAndBitFlippedCheckpointsAreNamedAndResumeFallsBackToTheLastGoodOne() throws Exception {
    Runs.Prepared p = Runs.create(TinyRuns.tiny(small()), registry, tmp.resolve("damaged"), new EventBus());
    p.run().events().subscribe(e -> {
      if (e instanceof dev.roundhouse.host.metrics.RunEvent.Checkpoint c && c.step() == 9) {
        p.trainer().requestStop();
      }
    });
    Runs.execute(p); // checkpoints 3, 6, 9 (and 9 again at the stop)
    Path dir = p.run().directory().root();
    Path ck = dir.resolve("checkpoints");
    Path t9 = ck.resolve("step-000009/" + dev.roundhouse.host.run.CheckpointStore.TENSORS_FILE);
    try (RandomAccessFile f = new RandomAccessFile(t9.toFile(), "rw")) {
      f.setLength(f.length() / 2); // truncated
    }
    Path t6 = ck.resolve("step-000006/" + dev.roundhouse.host.run.CheckpointStore.TENSORS_FILE);
    byte[] bytes = Files.readAllBytes(t6);
    bytes[bytes.length / 2] ^= 0x10; // one flipped bit
    Files.write(t6, bytes);

    String log = captureStderr(() -> {
      Runs.Prepared r = Runs.resume(dir, registry, new EventBus(), false);
      assertEquals(3, r.startStep());
      Runs.execute(r);
      return null;
    });
    assertTrue(log.contains("step-000009") && log.contains(t9.toString()) && log.contains("truncated"), log);
    assertTrue(log.contains("step-000006") && log.contains(t6.toString()) && log.contains("SHA-256"), log);
    List<Double> got = TrainerEndToEndTest.stepLosses(dir);
    // steps 1-9 logged by the first process, 4-12 again by the resumed one: all equal the uninterrupted run
    for (int i = 0; i < got.size(); i++) {
      int step = i < 9 ? i + 1 : i - 9 + 4;
      assertEquals(reference.get(step - 1), got.get(i), 1e-6, "step " + step);
    }
    assertEquals(18, got.size());
  }

  @Test
  void aSecondWriterOfARunningRunIsRefused() {
    Runs.Prepared p = Runs.create(TinyRuns.tiny(small()), registry, tmp.resolve("locked"), new EventBus());
    Path dir = p.run().directory().root();
    RunDirectoryLockedException e = assertThrows(RunDirectoryLockedException.class,
        () -> Runs.resume(dir, registry, new EventBus(), false));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    Runs.execute(p); // releases the lock
    Runs.resume(dir, registry, new EventBus(), false).run().directory().close();
  }

  @Test
  void twoRunsOnTwoThreadsAtOnceEqualTheirSingleThreadedResults() throws Exception {
    List<Double> other = TrainerEndToEndTest.stepLosses(TrainerEndToEndTest.train(registry, tmp.resolve("seed2"),
        withSeed(small(), 7)));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<List<Double>> a = () -> TrainerEndToEndTest.stepLosses(
          TrainerEndToEndTest.train(registry, tmp.resolve("par-a"), small()));
      Callable<List<Double>> b = () -> TrainerEndToEndTest.stepLosses(
          TrainerEndToEndTest.train(registry, tmp.resolve("par-b"), withSeed(small(), 7)));
      Future<List<Double>> fa = pool.submit(a);
      Future<List<Double>> fb = pool.submit(b);
      assertEquals(reference, fa.get());
      assertEquals(other, fb.get());
      assertTrue(!reference.equals(other), "the two runs must differ for the test to mean anything");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void runNamesCannotLeaveTheRunsFolder() {
    for (String name : List.of("../x", "..", ".", "...", "a/b", "/etc/x", "a\\\\b", "", "x y", "~")) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> TinyRuns.tiny("name=\"" + name + "\""), name);
      assertTrue(e.getMessage().contains("name"), e.getMessage());
    }
    assertTrue(Files.notExists(tmp.resolve("x")));
  }

  @Test
  void aModelTooLargeForMemoryIsRefusedUpFrontWithTheEstimate() {
    var cfg = TinyRuns.tiny("model.dModel=65536", "model.nHeads=1", "model.moe.expertHidden=65536",
        "model.moe.routedExperts=64");
    List<String> problems = RunFactory.pluginProblems(cfg, registry);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("model: too large") && problems.get(0).contains("parameters x 4 bytes x 4")
        && problems.get(0).contains("GiB"), problems.get(0));
    ConfigException e = assertThrows(ConfigException.class,
        () -> Runs.create(cfg, registry, tmp.resolve("huge"), new EventBus()));
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("huge")), "nothing is created for a refused config");
    assertTrue(MemoryBudget.problem(TinyRuns.tiny(), 1L << 20) == null, "the tiny model fits in 1 MiB");
    assertTrue(MemoryBudget.problem(TinyRuns.tiny(), 100_000) != null);
  }

  private static String[] withSeed(String[] base, long seed) {
    String[] out = java.util.Arrays.copyOf(base, base.length + 1);
    out[base.length] = "seed=" + seed;
    return out;
  }

  private static String captureStderr(Callable<Void> body) throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      body.call();
    } finally {
      System.setErr(saved);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
