package dev.roundhouse.host.sweep;

import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.RunDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Where a trial stands, read from its run directory alone (no scheduler): {@code pending} (no run yet), {@code
 * running} (a process holds the run directory's lock), {@code interrupted} (started, neither finished nor failed,
 * nobody holds it: a rerun resumes it from its newest checkpoint), {@code done} (run_finished), {@code failed}
 * (run_failed, with the error).
 *
 * @param step  the last step the run recorded (0 when none)
 * @param error the run_failed message, or null
 */
public record TrialState(Status status, long step, String error) {
  /** The states; {@link #label()} is the lower-case name used in files and tables. */
  public enum Status {
    PENDING, RUNNING, INTERRUPTED, DONE, FAILED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Reads the state of the run directory {@code dir}. */
  public static TrialState of(Path dir) {
    Path metrics = dir.resolve(RunDirectory.METRICS_FILE);
    if (!Files.isRegularFile(dir.resolve(RunDirectory.CONFIG_FILE))) {
      return new TrialState(locked(dir) ? Status.RUNNING : Status.PENDING, 0, null);
    }
    List<RunEvent> events;
    try {
      events = Files.isRegularFile(metrics) ? MetricsReader.read(metrics) : List.of();
    } catch (RuntimeException e) {
      events = List.of();
    }
    long step = 0;
    Status last = Status.INTERRUPTED;
    String error = null;
    for (RunEvent e : events) {
      step = Math.max(step, e.step());
      if (e instanceof RunEvent.RunStarted) {
        last = Status.INTERRUPTED;
        error = null;
      } else if (e instanceof RunEvent.RunFinished) {
        last = Status.DONE;
      } else if (e instanceof RunEvent.RunFailed f) {
        last = Status.FAILED;
        error = f.error();
      }
    }
    if (last != Status.DONE && locked(dir)) {
      return new TrialState(Status.RUNNING, step, null);
    }
    return new TrialState(last, step, error);
  }

  /** True when another process (or this one) holds the run directory's lock. */
  static boolean locked(Path dir) {
    Path lock = dir.resolve(RunDirectory.LOCK_FILE);
    if (!Files.isRegularFile(lock)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
