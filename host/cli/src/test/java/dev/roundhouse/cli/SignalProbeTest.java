package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outside probe, signals: {@code roundhouse run} in a child JVM gets SIGTERM or SIGINT once it trains; every time it
 * must write a checkpoint, print {@code interrupted: checkpoint written at step N; continue with: roundhouse resume
 * DIR} and exit with 130 (docs/cli.md), and that checkpoint must exist. SIGINT is sent through {@code kill -INT};
 * the child starts under {@code env --default-signal=INT} because a background parent may leave SIGINT ignored.
 */
class SignalProbeTest {
  static final int ROUNDS = 2;
  static final Pattern LINE = Pattern.compile(
      "interrupted: checkpoint written at step (\\d+); continue with: roundhouse resume (\\S+)");

  @TempDir Path tmp;

  static boolean envResetsSignals() {
    try {
      return new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void sigtermAndSigintCheckpointPrintTheLineAndExit130EveryTime() throws Exception {
    String plugins = MainTest.plugins();
    Assumptions.assumeTrue(envResetsSignals(), "env --default-signal (GNU coreutils >= 8.31) and kill needed");
    int done = 0;
    for (int round = 0; round < ROUNDS; round++) {
      for (String signal : List.of("TERM", "INT")) {
        Path out = tmp.resolve(signal + round);
        Path log = tmp.resolve(signal + round + ".log");
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
            System.getProperty("java.class.path"), Main.class.getName(), "run", "--plugins", plugins, "--out",
            out.toString()));
        cmd.addAll(MainTest.TINY);
        cmd.addAll(List.of("--set", "train.steps=100000", "--set", "train.checkpointEvery=100000",
            "--set", "train.evalEvery=100000"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
          while (!Files.readString(log).contains("step 2") && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(100);
          }
          assertTrue(p.isAlive(), Files.readString(log));
          assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
          assertTrue(p.waitFor(120, TimeUnit.SECONDS), "no exit after SIG" + signal);
        } finally {
          p.destroyForcibly();
        }
        String text = Files.readString(log);
        assertEquals(130, p.exitValue(), "SIG" + signal + " exit code; output:\n" + text);
        Matcher m = LINE.matcher(text);
        assertTrue(m.find(), "SIG" + signal + ": no interrupted line in\n" + text);
        Path ckpt = Path.of(m.group(2)).resolve("checkpoints").resolve(String.format("step-%06d",
            Integer.parseInt(m.group(1))));
        assertTrue(Files.isRegularFile(ckpt.resolve("manifest.json")), ckpt + " missing");
        done++;
      }
    }
    System.out.printf("signal probe: %d interrupts, %d with checkpoint, line and exit 130%n", 2 * ROUNDS, done);
  }
}
