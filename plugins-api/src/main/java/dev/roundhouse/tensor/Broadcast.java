package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Numpy-style broadcasting helpers shared by the elementwise ops and their backward passes. */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast shape of {@code a} and {@code b}, or an error naming both shapes. */
  public static long[] shape(long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = Math.max(da, db);
    }
    return out;
  }

  /** {@code x} viewed or expanded to {@code shape} (no copy when shapes already match). */
  public static INDArray expand(INDArray x, long[] shape) {
    if (Arrays.equals(x.shape(), shape)) {
      return x;
    }
    INDArray v = x;
    if (x.rank() < shape.length) {
      long[] padded = new long[shape.length];
      Arrays.fill(padded, 1);
      System.arraycopy(x.shape(), 0, padded, shape.length - x.rank(), x.rank());
      v = x.reshape(padded);
    }
    return v.broadcast(shape);
  }

  /** Sums a gradient of a broadcast shape down to {@code shape}; returns g itself when equal. */
  public static INDArray reduceTo(INDArray g, long[] shape) {
    if (Arrays.equals(g.shape(), shape)) {
      return g;
    }
    int lead = g.rank() - shape.length;
    if (lead < 0) {
      throw new IllegalArgumentException(
          "gradient " + Arrays.toString(g.shape()) + " has lower rank than " + Arrays.toString(shape));
    }
    int[] axes = new int[g.rank()];
    int n = 0;
    for (int i = 0; i < g.rank(); i++) {
      if (i < lead || (shape[i - lead] == 1 && g.size(i) != 1)) {
        axes[n++] = i;
      }
    }
    INDArray r = n == 0 ? g : g.sum(true, Arrays.copyOf(axes, n));
    return r.reshape(shape);
  }
}
