package dev.roundhouse.host.bench;

import java.util.Arrays;

/**
 * Times a piece of work: {@code warmup} untimed runs, then {@code iterations} timed runs, each
 * measured on its own with {@link System#nanoTime()}. Reports median, min and max in
 * milliseconds. The body should finish its work before returning (ND4J CPU ops are synchronous).
 *
 * <pre>{@code
 * BenchTimer.Stats s = BenchTimer.measure(3, 20, () -> trainer.step(batch));
 * }</pre>
 */
public final class BenchTimer {
  private BenchTimer() {}

  /** Timing summary of one measured body; all times in milliseconds. */
  public record Stats(int warmup, int iterations, double medianMs, double minMs, double maxMs) {
    /** Throughput in GFLOP/s for a body doing {@code flopsPerRun} floating-point operations. */
    public double gflops(double flopsPerRun) {
      return flopsPerRun / (medianMs * 1e-3) / 1e9;
    }
  }

  /** Runs {@code body} {@code warmup} times untimed, then {@code iterations} times timed. */
  public static Stats measure(int warmup, int iterations, Runnable body) {
    if (warmup < 0) {
      throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
    }
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    return summarize(warmup, ms);
  }

  /**
   * Times several bodies interleaved: each iteration runs every body once, so a burst of load from
   * other processes hits all of them alike (use it to compare variants on a shared machine). The
   * starting body rotates every iteration, so each body follows each other one equally often (a
   * body can leave threads spinning that slow the next one). Returns one Stats per body, in order.
   */
  public static Stats[] measureInterleaved(int warmup, int iterations, Runnable... bodies) {
    if (warmup < 0 || iterations < 1 || bodies.length == 0) {
      throw new IllegalArgumentException("need warmup >= 0, iterations >= 1 and a body, got "
          + warmup + ", " + iterations + ", " + bodies.length);
    }
    for (int i = 0; i < warmup; i++) {
      for (Runnable b : bodies) {
        b.run();
      }
    }
    double[][] ms = new double[bodies.length][iterations];
    for (int i = 0; i < iterations; i++) {
      for (int k = 0; k < bodies.length; k++) {
        int j = (i + k) % bodies.length;
        long t0 = System.nanoTime();
        bodies[j].run();
        ms[j][i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Stats[] out = new Stats[bodies.length];
    for (int j = 0; j < bodies.length; j++) {
      out[j] = summarize(warmup, ms[j]);
    }
    return out;
  }

  /** Stats over already measured times (ms). */
  public static Stats summarize(int warmup, double[] timesMs) {
    double[] s = timesMs.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new Stats(warmup, n, median, s[0], s[n - 1]);
  }
}
