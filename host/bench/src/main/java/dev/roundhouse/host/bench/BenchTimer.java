package dev.roundhouse.host.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

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
   * order is shuffled every iteration (fixed seed), so no body always follows the same other one:
   * a body can leave worker threads spinning that slow whatever runs next. Returns one Stats per
   * body, in the order given.
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
    List<Integer> order = new ArrayList<>();
    for (int j = 0; j < bodies.length; j++) {
      order.add(j);
    }
    Random shuffle = new Random(42);
    for (int i = 0; i < iterations; i++) {
      Collections.shuffle(order, shuffle);
      for (int j : order) {
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
