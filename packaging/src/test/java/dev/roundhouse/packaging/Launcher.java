package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a program (a launcher of the unpacked distribution, or Maven) as a user would, with a time limit. */
final class Launcher {
  /** What a finished process left: its exit code and its stdout and stderr together. */
  record Result(int exitCode, String output, List<String> command) {
    /** Fails naming the command and showing its output unless it exited with 0. */
    Result assertOk() {
      if (exitCode != 0) {
        fail(String.join(" ", command) + " exited with " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  private Launcher() {}

  /**
   * Runs {@code command} in {@code workDir} with JAVA_HOME set to this test's JDK (the launchers take
   * {@code $JAVA_HOME/bin/java}), extra environment {@code env}, and kills it after {@code timeoutS}.
   */
  static Result run(Path workDir, Map<String, String> env, long timeoutS, List<String> command) {
    try {
      Path log = Files.createTempFile("roundhouse-launch-", ".log");
      try {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          fail(String.join(" ", command) + " did not finish within " + timeoutS + " s:\n"
              + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8), command);
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new AssertionError("could not run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }

  /** {@code bin/<name> args...} of the unpacked distribution, from {@code workDir}. */
  static Result bin(Path workDir, String name, long timeoutS, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Dist.home().resolve("bin").resolve(name).toString());
    cmd.addAll(List.of(args));
    return run(workDir, Map.of(), timeoutS, cmd);
  }
}
