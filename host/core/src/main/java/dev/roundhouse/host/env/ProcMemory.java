package dev.roundhouse.host.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident set from Linux's /proc/self: current ({@code VmRSS}) and high-water
 * mark ({@code VmHWM}), which {@link #resetPeak()} sets back to the current value. Returns -1
 * where /proc is not there (not Linux).
 */
public final class ProcMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcMemory() {}

  /** Resident set now, bytes. */
  public static long rss() {
    return field("VmRSS:");
  }

  /** Highest resident set since the process started or the last {@link #resetPeak()}, bytes. */
  public static long peak() {
    return field("VmHWM:");
  }

  /** Sets the high-water mark to the current resident set (Linux 4.0+); false when not possible. */
  public static boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024; // kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
