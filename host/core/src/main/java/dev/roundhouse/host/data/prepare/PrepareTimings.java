package dev.roundhouse.host.data.prepare;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall and process CPU time per phase of a prepare run (read, filter+fingerprint, dedup decisions,
 * tokenise, pack+write), summed over sources. Process CPU counts every thread of the JVM (JIT and GC
 * included), so it is the load-independent figure; wall depends on the machine's load. Not
 * thread-safe: the preparing thread records, others read after the run.
 */
public final class PrepareTimings {

  /** Wall and CPU nanoseconds of one phase; cpuNanos is -1 for a part measured in wall time only. */
  public record Phase(long wallNanos, long cpuNanos) {}

  private final Map<String, long[]> phases = new LinkedHashMap<>();
  private String current;
  private long wall0;
  private long cpu0;

  /** Ends the phase in progress, if any, and starts {@code name}. */
  void start(String name) {
    stop();
    current = name;
    wall0 = System.nanoTime();
    cpu0 = processCpuNanos();
  }

  /** Ends the phase in progress, if any. */
  void stop() {
    if (current != null) {
      long[] t = phases.computeIfAbsent(current, k -> new long[2]);
      t[0] += System.nanoTime() - wall0;
      t[1] += processCpuNanos() - cpu0;
      current = null;
    }
  }

  /** Adds wall time measured inside a phase (a part of it; no CPU figure). */
  void add(String name, long wallNanos) {
    long[] t = phases.computeIfAbsent(name, k -> new long[] {0, -1});
    t[0] += wallNanos;
  }

  /** The phases in the order they first ran. */
  public Map<String, Phase> phases() {
    Map<String, Phase> out = new LinkedHashMap<>();
    phases.forEach((k, v) -> out.put(k, new Phase(v[0], v[1])));
    return out;
  }

  /** CPU time of the whole process so far in nanoseconds, or 0 where the JVM cannot tell. */
  public static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }
}
