package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outside probe, CLI arguments and run directories: each bad invocation must end with its documented exit code and
 * exactly one stderr line that names the argument, file or key at fault, with no Java exception class name and no
 * stack trace (those only with {@code --verbose}). Prints the figures for docs/reliability.md.
 */
class CliProbeTest {
  @TempDir Path tmp;

  /** An exception class name or a stack frame. */
  static final Pattern JAVA_INTERNALS = Pattern.compile("[A-Za-z]+(Exception|Error)\\b|\\bat [a-z]+\\.[a-z]+\\.|java\\.");

  record Probe(int code, String culprit, String[] args) {}

  static Probe p(int code, String culprit, String... args) {
    return new Probe(code, culprit, args);
  }

  @Test
  void everyBadInvocationIsOneLineNamingTheCulpritWithItsExitCode() throws Exception {
    String plugins = MainTest.plugins();
    List<String> runArgs = new ArrayList<>(List.of("run", "--plugins", plugins, "--out", tmp.toString()));
    runArgs.addAll(MainTest.TINY);
    MainTest.Result run = MainTest.main(runArgs.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());
    String dir = tmp.resolve("tiny-moe").toString();

    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    Path notRun = Files.createDirectories(tmp.resolve("not-a-run"));
    Path broken = Files.createDirectories(tmp.resolve("broken-run"));
    Files.writeString(broken.resolve("config.json"), "{\"name\": \"x\",");
    Path changed = tmp.resolve("changed");
    copyTree(Path.of(dir), changed);
    Path cfg = changed.resolve("config.json");
    Files.writeString(cfg, Files.readString(cfg).replaceFirst("\"seed\": \\d+", "\"seed\": 4242"));
    Path dup = Files.writeString(tmp.resolve("dup.json"), "{\"seed\": 1, \"seed\": 2}");
    Path deep = Files.writeString(tmp.resolve("deep.json"), "[".repeat(1200) + "]".repeat(1200));
    Path bin = Files.write(tmp.resolve("bin.json"), new byte[] {(byte) 0xc3, 0x28, (byte) 0xff, 0});

    List<Probe> probes = List.of(
        p(2, "--batches", "eval", dir, "--plugins", plugins, "--batches", "abc"),
        p(2, "--batches", "eval", dir, "--plugins", plugins, "--batches", "-1"),
        p(2, "--tokens", "sample", dir, "--plugins", plugins, "--prompt", "a", "--tokens", "abc"),
        p(2, "--tokens", "sample", dir, "--plugins", plugins, "--prompt", "a", "--tokens", "-5"),
        p(2, "--temperature", "sample", dir, "--plugins", plugins, "--prompt", "a", "--temperature", "NaN"),
        p(2, "--temperature", "sample", dir, "--plugins", plugins, "--prompt", "a", "--temperature", "-1"),
        p(2, "--seed", "sample", dir, "--plugins", plugins, "--prompt", "a", "--seed", "x"),
        p(2, "/no/such/run", "resume", "/no/such/run", "--plugins", plugins),
        p(2, "/no/such/run", "eval", "/no/such/run", "--plugins", plugins),
        p(2, file.toString(), "resume", file.toString(), "--plugins", plugins),
        p(2, file.toString(), "sample", file.toString(), "--plugins", plugins, "--prompt", "a"),
        p(2, "/proc", "resume", "/proc", "--plugins", plugins),
        p(2, notRun.toString(), "eval", notRun.toString(), "--plugins", plugins),
        p(2, broken.resolve("config.json").toString(), "resume", broken.toString(), "--plugins", plugins),
        p(2, broken.resolve("config.json").toString(), "eval", broken.toString(), "--plugins", plugins),
        p(2, "seed", "resume", changed.toString(), "--plugins", plugins),
        p(2, file.toString(), "run", "--plugins", plugins, "--out", file.toString()),
        p(2, "model.dModel", "run", "--plugins", plugins, "--out", tmp.toString(), "--set", "model.dModel="),
        p(2, "model.ropeTheta", "run", "--plugins", plugins, "--set", "model.ropeTheta=NaN"),
        p(2, "optimizer.lr", "run", "--plugins", plugins, "--out", tmp.toString(), "--set", "optimizer.lr=1e400"),
        p(2, "dup.json", "validate", dup.toString(), "--plugins", plugins),
        p(2, "deep.json", "validate", deep.toString(), "--plugins", plugins),
        p(2, "bin.json", "validate", bin.toString(), "--plugins", plugins),
        p(2, "--bogus", "eval", dir, "--bogus"),
        p(2, "RUN_DIR", "eval"),
        p(2, "--prompt", "sample", dir),
        p(2, "frobnicate", "frobnicate"),
        p(2, "name", "run", "--plugins", plugins, "--out", tmp.toString(), "--set", "name=" + "n".repeat(1_000_000)));

    int oneLine = 0;
    int internals = 0;
    StringBuilder report = new StringBuilder();
    for (Probe probe : probes) {
      MainTest.Result r = MainTest.main(probe.args());
      String[] lines = r.err().strip().split("\n");
      boolean clean = r.code() == probe.code() && lines.length == 1 && lines[0].contains(probe.culprit())
          && lines[0].length() < 1200;
      boolean leaked = JAVA_INTERNALS.matcher(r.err()).find();
      oneLine += clean && !leaked ? 1 : 0;
      internals += leaked ? 1 : 0;
      if (!clean || leaked) {
        report.append("\n").append(String.join(" ", probe.args()).substring(0,
            Math.min(120, String.join(" ", probe.args()).length()))).append(" -> exit ").append(r.code())
            .append(": ").append(r.err().length() > 400 ? r.err().substring(0, 400) : r.err());
      }
    }
    System.out.printf("CLI probe: %d bad invocations, %d with one line naming the culprit and the documented exit"
        + " code, %d showing Java internals%n", probes.size(), oneLine, internals);
    assertTrue(report.isEmpty(), report.toString());

    MainTest.Result verbose = MainTest.main("resume", broken.toString(), "--plugins", plugins, "--verbose");
    assertTrue(verbose.err().contains("\tat "), "--verbose shows the stack trace: " + verbose.err());
    assertFalse(Files.exists(notRun.resolve(".lock")), "nothing is written into a folder that is no run");
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (!p.getFileName().toString().equals(".lock")) {
          Files.copy(p, t);
        }
      }
    }
  }
}
