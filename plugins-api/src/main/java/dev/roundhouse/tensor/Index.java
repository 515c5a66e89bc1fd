package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row gather and row scatter-add, each the other's backward (MoE dispatch and combine).
 *
 * <p>Shapes: x [N, d], idx [M] with values in [0, N), gathered [M, d]. Both run as one native op:
 * gather is {@code Nd4j.pullRows}; scatter-add is libnd4j's {@code unsorted_segment_sum}, which
 * accumulates duplicate indices sequentially. (libnd4j's {@code scatter_add} was measured to lose
 * updates to duplicate indices when it runs on more than one thread, so it is not used.)
 */
public final class Index {
  private Index() {}

  /** out[m] = x[idx[m]]. x: [N, d], idx: [M] -> [M, d]. */
  public static Tensor gatherRows(Tensor x, int[] idx) {
    checkRank2(x, "gatherRows: x");
    int n = (int) x.size(0);
    checkIndices(idx, n, "gatherRows");
    INDArray out = gather(x.data(), idx);
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        x.addGradOwned(scatterAdd(g, idx, n));
      }
    }, x);
  }

  /** out[idx[m]] += src[m], duplicates accumulate. src: [M, d], idx: [M] -> [n, d]. */
  public static Tensor scatterAddRows(Tensor src, int[] idx, int n) {
    checkRank2(src, "scatterAddRows: src");
    if (src.size(0) != idx.length) {
      throw new IllegalArgumentException("scatterAddRows: src has " + src.size(0) + " rows but idx has "
          + idx.length + " entries");
    }
    checkIndices(idx, n, "scatterAddRows");
    INDArray out = scatterAdd(src.data(), idx, n);
    return Tensor.result(out, g -> {
      if (src.requiresGrad()) {
        src.addGradOwned(gather(g, idx));
      }
    }, src);
  }

  /** Raw gather: x [N, d] -> [M, d] (a new array). */
  static INDArray gather(INDArray x, int[] idx) {
    if (idx.length == 0) {
      return Nd4j.create(x.dataType(), 0, x.size(1));
    }
    return Nd4j.pullRows(x, 1, idx);
  }

  /** Raw scatter-add: src [M, d] -> [n, d] (a new array, zero where no index points). */
  static INDArray scatterAdd(INDArray src, int[] idx, int n) {
    if (idx.length == 0) {
      return Nd4j.zeros(src.dataType(), n, src.size(1));
    }
    if (idx.length == 1) {
      // libnd4j's segment ops treat a [1, d] input as a flat vector and sum only its first element.
      INDArray out = Nd4j.zeros(src.dataType(), n, src.size(1));
      out.getRow(idx[0]).assign(src.reshape(src.size(1)));
      return out;
    }
    return Nd4j.exec(new UnsortedSegmentSum(src, Nd4j.createFromArray(idx), n))[0];
  }

  private static void checkRank2(Tensor t, String what) {
    if (t.rank() != 2) {
      throw new IllegalArgumentException(what + " must be [rows, d], got " + Arrays.toString(t.shape()));
    }
  }

  private static void checkIndices(int[] idx, int n, String op) {
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= n) {
        throw new IllegalArgumentException(op + ": idx[" + i + "] = " + idx[i] + " is outside [0, " + n + ")");
      }
    }
  }
}
