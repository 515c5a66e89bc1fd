package dev.roundhouse.app.dashboard;

import dev.roundhouse.host.run.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether another process is writing a run directory, read from its {@code .lock} file without
 * taking the lock (readers must not): the writer records {@code pid=N since=...} there, and the file
 * stays after the lock is released, so the run counts as live while that process is alive and not
 * this JVM (this app's own runs are known to it directly). Plain data, any thread.
 */
public final class RunLiveness {
  private static final Pattern PID = Pattern.compile("pid=(\\d+)");

  private RunLiveness() {}

  /** True when the lock file names a living process other than this one. */
  public static boolean writtenByAnotherProcess(Path runDir) {
    Long pid = holderPid(runDir);
    return pid != null && pid != ProcessHandle.current().pid()
        && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The pid in the run's lock file, or null when there is none. */
  static Long holderPid(Path runDir) {
    try {
      String text = Files.readString(runDir.resolve(RunDirectory.LOCK_FILE), StandardCharsets.UTF_8);
      Matcher m = PID.matcher(text);
      return m.find() ? Long.parseLong(m.group(1)) : null;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }
}
