package dev.roundhouse.host.bench;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J CPU thread control. Three knobs exist in ND4J 1.0.0-M2.1:
 * <ul>
 *   <li>libnd4j's thread pool (elementwise, reductions, custom ops) is sized once, when the
 *       native library loads, from {@code OMP_NUM_THREADS} (default: all cores).
 *       {@code Environment.setMaxThreads} is a no-op in this version; {@code setMaxMasterThreads}
 *       caps the threads one op uses, but only downwards (it is clamped to the pool size);</li>
 *   <li>OpenMP regions inside libnd4j follow {@code omp_set_num_threads} ({@code setOmpNumThreads});</li>
 *   <li>OpenBLAS (gemm) has its own pool: {@code Nd4j.factory().blas().setMaxThreads}.</li>
 * </ul>
 * So: {@code OMP_NUM_THREADS=N} in the environment before the JVM starts sets everything (the
 * only way to get more threads than the default); {@link #set(int)} at start-up, before the first
 * timed work, lowers all three from Java.
 */
public final class Nd4jThreads {
  private Nd4jThreads() {}

  /**
   * Caps libnd4j ops, libnd4j's OpenMP regions and OpenBLAS at {@code n} threads. Values above
   * the pool size given by {@code OMP_NUM_THREADS} at load are clamped for libnd4j.
   */
  public static void set(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + n);
    }
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
    Nd4j.factory().blas().setMaxThreads(n);
  }

  /** "libnd4j=pool/perOp blas=n": the threads now in effect. */
  public static String describe() {
    return "libnd4j=" + Nd4j.getEnvironment().maxThreads() + "/" + Nd4j.getEnvironment().maxMasterThreads()
        + " blas=" + blasThreads();
  }

  /** The BLAS thread count now in effect. */
  public static int blasThreads() {
    return Nd4j.factory().blas().getMaxThreads();
  }
}
