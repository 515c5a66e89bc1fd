package dev.roundhouse.host.bench;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J CPU thread control from Java. ND4J has two pools: libnd4j's own (OpenMP / its thread pool,
 * used by elementwise, reduction and custom ops) and OpenBLAS's (gemm). The environment variable
 * {@code OMP_NUM_THREADS}, read when the native library loads, sets both; from Java, call
 * {@link #set(int)} once at start-up, before the first timed work.
 */
public final class Nd4jThreads {
  private Nd4jThreads() {}

  /** Caps libnd4j ({@code maxThreads}, {@code maxMasterThreads}) and OpenBLAS at {@code n} threads. */
  public static void set(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + n);
    }
    Nd4j.getEnvironment().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    Nd4j.factory().blas().setMaxThreads(n);
  }

  /** "libnd4j=a/b blas=c": current maxThreads/maxMasterThreads and the BLAS thread count. */
  public static String describe() {
    return "libnd4j=" + Nd4j.getEnvironment().maxThreads() + "/" + Nd4j.getEnvironment().maxMasterThreads()
        + " blas=" + Nd4j.factory().blas().getMaxThreads();
  }

  /** The BLAS thread count now in effect. */
  public static int blasThreads() {
    return Nd4j.factory().blas().getMaxThreads();
  }
}
