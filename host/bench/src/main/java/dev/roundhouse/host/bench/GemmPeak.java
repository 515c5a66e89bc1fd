package dev.roundhouse.host.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's gemm peak on one thread, for model FLOP utilisation: FLOAT n x n x n {@code
 * Nd4j.gemm} into a preallocated output, median GFLOP/s of a few timed runs after warm-up. With
 * {@code OMP_NUM_THREADS=1} it is the rate one data-parallel shard can reach.
 */
public final class GemmPeak {
  private GemmPeak() {}

  /** Median GFLOP/s of {@code repeats} n x n x n gemms after {@code warmup}. */
  public static double measure(int n, int warmup, int repeats) {
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.createUninitialized(DataType.FLOAT, n, n);
    double[] ms = new double[repeats];
    for (int i = 0; i < warmup + repeats; i++) {
      long t0 = System.nanoTime();
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      if (i >= warmup) {
        ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
      }
    }
    double median = BenchTimer.summarize(0, ms).medianMs();
    return 2.0 * n * n * (double) n / (median / 1000) / 1e9;
  }
}
