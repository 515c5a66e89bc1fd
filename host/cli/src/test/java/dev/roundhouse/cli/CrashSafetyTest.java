package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with real SIGKILLs: {@code roundhouse run} in a child JVM is killed ({@link Process#destroyForcibly()})
 * at seeded random moments, and once right while a checkpoint is being written; after each kill the test does what an
 * operator would ({@code roundhouse resume}, or {@code run} again if no run directory was made yet). Every step's loss
 * ever logged, replays included, must equal an uninterrupted child run's loss (1e-6), and the run must finish.
 */
class CrashSafetyTest {
  static final int STEPS = 24;
  static final int MAX_KILLS = 6;
  static final long KILL_PHASE_MS = 40_000;

  @TempDir Path tmp;

  /** Numbers of the last run, for docs/reliability.md. */
  static int killsSurvived;
  static int killsDuringCheckpointWrite;

  static List<String> runArgs(Path out) {
    List<String> a = new ArrayList<>(List.of("run", "--plugins", MainTest.plugins(), "--out", out.toString()));
    a.addAll(MainTest.TINY);
    a.addAll(List.of("--set", "train.steps=" + STEPS, "--set", "train.checkpointEvery=1",
        "--set", "train.evalEvery=" + STEPS, "--set", "train.keepCheckpoints=3"));
    return a;
  }

  Process start(List<String> args, Path log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
        log.toFile())).start();
  }

  /** step -> every loss logged for it. */
  static TreeMap<Long, List<Double>> losses(Path runDir) {
    TreeMap<Long, List<Double>> out = new TreeMap<>();
    for (RunEvent e : MetricsReader.read(runDir.resolve("metrics.jsonl"))) {
      if (e instanceof RunEvent.Step s) {
        out.computeIfAbsent(s.step(), k -> new ArrayList<>()).add(s.loss());
      }
    }
    return out;
  }

  /** Names of the temp directories of checkpoint writes in progress (or cut short by a kill). */
  static List<String> tempCheckpoints(Path runDir) throws IOException {
    Path ck = runDir.resolve("checkpoints");
    if (!Files.isDirectory(ck)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(ck)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp-step-")).toList();
    }
  }

  static boolean hasTempCheckpoint(Path runDir) throws IOException {
    return !tempCheckpoints(runDir).isEmpty();
  }

  @Test
  void killedAtRandomMomentsResumesToTheUninterruptedLosses() throws Exception {
    Path log = tmp.resolve("children.log");
    Process ref = start(runArgs(tmp.resolve("ref")), log);
    assertTrue(ref.waitFor(120, TimeUnit.SECONDS), "reference run timed out");
    assertEquals(0, ref.exitValue(), Files.readString(log));
    TreeMap<Long, List<Double>> want = losses(tmp.resolve("ref/tiny-moe"));
    assertEquals(STEPS, want.size());

    Path out = tmp.resolve("crash");
    Path dir = out.resolve("tiny-moe");
    Random rnd = new Random(20261122);
    long deadline = System.currentTimeMillis() + KILL_PHASE_MS;
    boolean finished = false;
    int kills = 0;
    int midWrite = 0;
    while (!finished && kills < MAX_KILLS && System.currentTimeMillis() < deadline) {
      List<String> leftBefore = tempCheckpoints(dir);
      Process p = start(next(dir, out), log);
      boolean targeted = kills == 1; // the second kill waits for a checkpoint write in progress
      long killAt = System.currentTimeMillis() + 500 + rnd.nextInt(5000);
      while (p.isAlive()) {
        if (targeted ? hasTempCheckpoint(dir) || System.currentTimeMillis() > killAt + 15_000
            : System.currentTimeMillis() >= killAt) {
          p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally blocks
          break;
        }
        Thread.onSpinWait();
      }
      p.waitFor(30, TimeUnit.SECONDS);
      if (p.exitValue() == 0) {
        finished = true;
      } else {
        kills++;
        midWrite += leftBefore.containsAll(tempCheckpoints(dir)) ? 0 : 1; // a new, unfinished write
      }
    }
    if (!finished) {
      Process last = start(next(dir, out), log);
      assertTrue(last.waitFor(120, TimeUnit.SECONDS), "final resume timed out");
      assertEquals(0, last.exitValue(), tail(log));
    }
    killsSurvived = kills;
    killsDuringCheckpointWrite = midWrite;
    System.out.println("crash safety: " + kills + " SIGKILLs survived, " + midWrite + " during a checkpoint write");

    TreeMap<Long, List<Double>> got = losses(dir);
    assertEquals(want.keySet(), got.keySet(), "every step trained and logged");
    for (long step : want.keySet()) {
      for (double loss : got.get(step)) {
        assertEquals(want.get(step).get(0), loss, 1e-6, "step " + step + " (all " + got.get(step) + ")");
      }
    }
    List<RunEvent> ev = MetricsReader.read(dir.resolve("metrics.jsonl"));
    assertTrue(ev.get(ev.size() - 1) instanceof RunEvent.RunFinished, ev.get(ev.size() - 1).toString());
    assertTrue(kills >= 3, "only " + kills + " kills happened");
    assertTrue(midWrite >= 1, "no kill landed inside a checkpoint write");
    assertTrue(!hasTempCheckpoint(dir), "leftover temp checkpoint after the final save");
  }

  /** What an operator runs next: resume when the run directory has its config, else a fresh run. */
  private static List<String> next(Path dir, Path out) throws IOException {
    if (Files.isRegularFile(dir.resolve("config.json"))) {
      return List.of("resume", dir.toString(), "--plugins", MainTest.plugins());
    }
    if (Files.exists(dir)) { // killed between making the directory and writing its config: nothing to keep
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
      }
    }
    return runArgs(out);
  }

  private static String tail(Path log) throws IOException {
    String s = Files.readString(log);
    return s.substring(Math.max(0, s.length() - 4000));
  }
}
