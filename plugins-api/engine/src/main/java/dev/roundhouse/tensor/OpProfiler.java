package dev.roundhouse.tensor;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Optional wall-time profile per op (forward and backward), switched on with the system property
 * {@code roundhouse.profile=true}. Forward time of an op is the time since the previous op finished
 * on this thread (so host code between ops is charged to the next op); backward time is the
 * duration of the op's backward closure. Off by default: one static boolean check per op.
 *
 * <p>The clock is wall time, or with {@code roundhouse.profile.clock=cpu} the CPU time of the
 * calling thread: on a machine shared with other processes wall time mostly measures waiting for
 * a core, while thread CPU time measures the op's own work (exact with {@code OMP_NUM_THREADS=1},
 * where libnd4j and OpenBLAS run on the calling thread; with more threads it misses the workers).
 */
public final class OpProfiler {
  public static final boolean ENABLED = Boolean.getBoolean("roundhouse.profile");
  /** True when {@code roundhouse.profile.clock=cpu}: times are thread CPU time, not wall time. */
  public static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("roundhouse.profile.clock"));
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();
  private static final Map<String, LongAdder> CALLS = new ConcurrentHashMap<>();
  private static final ThreadLocal<long[]> LAST = ThreadLocal.withInitial(() -> new long[] {now()});
  private static final StackWalker WALKER = StackWalker.getInstance();

  private OpProfiler() {}

  /** The profiler's clock in nanoseconds: wall or, with the cpu clock, this thread's CPU time. */
  static long now() {
    return CPU_CLOCK ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  /** Name of the op calling {@link Tensor#result}: the first frame outside Tensor. */
  static String callerOp() {
    return WALKER.walk(s -> s.filter(f -> !f.getClassName().equals(Tensor.class.getName())
            && !f.getClassName().equals(OpProfiler.class.getName()))
        .findFirst().map(f -> simple(f.getClassName()) + "." + f.getMethodName()).orElse("?"));
  }

  private static String simple(String cls) {
    return cls.substring(cls.lastIndexOf('.') + 1);
  }

  /** Charges the time since the last mark on this thread to {@code op}. */
  static void markForward(String op) {
    long now = now();
    long[] last = LAST.get();
    add(op, now - last[0]);
    last[0] = now;
  }

  static void add(String key, long nanos) {
    NANOS.computeIfAbsent(key, k -> new LongAdder()).add(nanos);
    CALLS.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** Restarts the forward clock (call before a step so idle time is not charged to the first op). */
  public static void resetClock() {
    LAST.get()[0] = now();
  }

  /** Starts timing a phase that is not an op (the optimizer step, clipping, ...); 0 when off. */
  public static long begin() {
    return ENABLED ? now() : 0;
  }

  /**
   * Charges the time since {@link #begin()} to {@code phase} (reported beside the ops, e.g.
   * "step: optimizer") and restarts this thread's forward clock. No-op when profiling is off.
   */
  public static void end(String phase, long begin) {
    if (ENABLED) {
      long now = now();
      add(phase, now - begin);
      LAST.get()[0] = now;
    }
  }

  /** Total milliseconds and call counts per op, sorted by name. */
  public static Map<String, double[]> snapshot() {
    Map<String, double[]> out = new TreeMap<>();
    NANOS.forEach((k, v) -> out.put(k, new double[] {v.sum() / 1e6, CALLS.get(k).sum()}));
    return out;
  }

  public static void clear() {
    NANOS.clear();
    CALLS.clear();
  }

  /** A table of the ops by total time, largest first. */
  public static String report() {
    return report(snapshot());
  }

  /** A table of a {@link #snapshot()} by total time, largest first. */
  public static String report(Map<String, double[]> snapshot) {
    StringBuilder b = new StringBuilder(String.format("%-40s %10s %8s%n", "op", "total ms", "calls"));
    snapshot.entrySet().stream()
        .sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]))
        .forEach(e -> b.append(String.format("%-40s %10.1f %8.0f%n", e.getKey(), e.getValue()[0], e.getValue()[1])));
    return b.toString();
  }
}
