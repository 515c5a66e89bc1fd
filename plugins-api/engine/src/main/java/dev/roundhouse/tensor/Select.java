package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Selection ops: top-k per row, elementwise where, masked fill. Legend: N rows, E columns (experts). */
public final class Select {
  private Select() {}

  /**
   * The k largest entries of each row.
   *
   * @param values [N, k] sorted descending per row, differentiable wrt x (gradient flows to the
   *     selected entries only)
   * @param indices [N, k] INT64 column of each value in x; not differentiable
   */
  public record TopK(Tensor values, INDArray indices) {}

  /** Largest k served by repeated argmax; above it libnd4j's sorting top_k is used. */
  static final int ITERATIVE_MAX_K = 8;

  /**
   * x: [N, E], 1 <= k <= E. For k <= {@value #ITERATIVE_MAX_K}: k rounds of row max + argmax on a
   * copy, each round setting the picked entries to -inf (measured ~15x faster than libnd4j top_k at
   * [4096, 16], k = 2); when a row picks one column twice (rows with fewer than k entries above
   * -inf, or NaN) the whole call goes to libnd4j top_k. Ties keep an arbitrary but valid order.
   * Backward: dx = sum_j onehot(indices[:, j]) * g[:, j] (no scatter: libnd4j's scalar scatters
   * cost ~5x more here).
   */
  public static TopK topK(Tensor x, int k) {
    if (x.rank() != 2 || k < 1 || k > x.size(1)) {
      throw new IllegalArgumentException("topK needs x [N, E] and 1 <= k <= E, got x "
          + Arrays.toString(x.shape()) + ", k " + k);
    }
    long n = x.size(0);
    long e = x.size(1);
    INDArray[] res = k <= ITERATIVE_MAX_K ? iterativeTopK(x.data(), k) : null;
    if (res == null) {
      res = Nd4j.exec(DynamicCustomOp.builder("top_k")
          .addInputs(x.data()).addIntegerArguments(k).addBooleanArguments(true).build());
      if (repeatsAColumn(res[1])) {
        res = sortedTopK(x.data(), k);
      }
    }
    INDArray values = res[0]; // [N, k]
    INDArray indices = res[1].dataType() == DataType.LONG ? res[1] : res[1].castTo(DataType.LONG);
    Tensor v = Tensor.result(values, g -> {
      if (x.requiresGrad()) {
        INDArray dx = Nd4j.zeros(g.dataType(), n, e);
        for (int j = 0; j < k; j++) {
          INDArray pick = oneHot(indices.getColumn(j).dup(), e, g.dataType()); // [N, E]
          dx.addi(pick.muliColumnVector(g.getColumn(j).reshape(n, 1)));
        }
        x.addGradOwned(dx);
      }
    }, x);
    return new TopK(v, indices);
  }

  /** {values [N, k], indices [N, k] LONG} by k rounds of max/argmax, or null on a repeated pick. */
  private static INDArray[] iterativeTopK(INDArray x, int k) {
    long n = x.size(0);
    long e = x.size(1);
    INDArray work = x.dup('c');
    INDArray values = Nd4j.createUninitialized(x.dataType(), n, k);
    INDArray indices = Nd4j.createUninitialized(DataType.LONG, n, k);
    long[][] picked = new long[k][];
    for (int j = 0; j < k; j++) {
      INDArray am = Nd4j.argMax(work, 1); // [N]
      values.getColumn(j).assign(work.max(1));
      picked[j] = am.toLongVector();
      for (int i = 0; i < j; i++) {
        for (int r = 0; r < n; r++) {
          if (picked[i][r] == picked[j][r]) {
            return null;
          }
        }
      }
      indices.getColumn(j).assign(am);
      if (j + 1 < k) {
        // + log(1 - onehot): -inf on the picked entries, +0 elsewhere (no 0 * inf NaNs; libnd4j's
        // select op was measured ~30x slower at this size)
        INDArray ban = oneHot(am, e, work.dataType()).rsubi(1.0);
        work.addi(Transforms.log(ban, false));
      }
    }
    return new INDArray[] {values, indices};
  }

  /**
   * Whether some row of indices [N, k] names a column twice. libnd4j 1.0.0-M2.1's top_k does so on tied
   * values (and then returns wrong values too: FacadeTest), so such a call is redone by {@link #sortedTopK}.
   */
  private static boolean repeatsAColumn(INDArray indices) {
    if (indices.size(1) < 2) {
      return false;
    }
    INDArray s = Nd4j.sort(indices.castTo(DataType.LONG).dup('c'), 1, true); // [N, k] ascending per row
    long k = s.size(1);
    INDArray gaps = s.get(NDArrayIndex.all(), NDArrayIndex.interval(1, k))
        .sub(s.get(NDArrayIndex.all(), NDArrayIndex.interval(0, k - 1)));
    return gaps.castTo(DataType.DOUBLE).minNumber().doubleValue() == 0;
  }

  /** {values [N, k], indices [N, k]} from a descending sort of each row (ties: libnd4j's sort order). */
  private static INDArray[] sortedTopK(INDArray x, int k) {
    INDArray[] sorted = Nd4j.sortWithIndices(x.dup('c'), 1, false); // {indices [N, E], values [N, E]}
    INDArray idx = sorted[0].get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).dup('c');
    INDArray val = sorted[1].get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).dup('c');
    return new INDArray[] {val, idx};
  }

  /** [N] integer column ids -> [N, E] one-hot rows in {@code dtype}. */
  private static INDArray oneHot(INDArray ids, long e, DataType dtype) {
    return Nd4j.exec(new OneHot(ids.reshape(ids.length()), (int) e, -1, 1.0, 0.0, dtype))[0];
  }

  /**
   * Elementwise {@code mask ? a : b} with broadcasting of all three. mask: bool or 0/1 (nonzero is
   * true). Gradient: g where mask to a, g where not mask to b.
   */
  public static Tensor where(INDArray mask, Tensor a, Tensor b) {
    if (a.dataType() != b.dataType()) {
      throw new IllegalArgumentException("where: a is " + a.dataType() + " but b is " + b.dataType());
    }
    long[] shape = Broadcast.shape(Broadcast.shape(mask.shape(), a.shape()), b.shape());
    INDArray cond = Broadcast.expand(toBool(mask), shape);
    INDArray out = Indexing.select(cond, Broadcast.expand(a.data(), shape), Broadcast.expand(b.data(), shape));
    return Tensor.result(out, g -> {
      INDArray m = cond.castTo(g.dataType());
      INDArray ga = g.mul(m);
      if (b.requiresGrad()) {
        b.addGradOwned(g.sub(ga));
      }
      if (a.requiresGrad()) {
        a.addGradOwned(ga);
      }
    }, a, b);
  }

  /**
   * x with {@code value} wherever mask is true (value may be -inf, e.g. attention masks). mask
   * broadcasts to x's shape. Gradient: g where mask is false, 0 elsewhere.
   */
  public static Tensor maskedFill(Tensor x, INDArray mask, double value) {
    long[] shape = x.shape();
    if (!Arrays.equals(Broadcast.shape(mask.shape(), shape), shape)) {
      throw new IllegalArgumentException("maskedFill: mask " + Arrays.toString(mask.shape())
          + " does not broadcast to x " + Arrays.toString(shape));
    }
    INDArray cond = Broadcast.expand(toBool(mask), shape);
    INDArray filled = Nd4j.valueArrayOf(shape, value, x.dataType());
    INDArray out = Indexing.select(cond, filled, x.data());
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        x.addGradOwned(g.mul(cond.castTo(g.dataType()).rsubi(1.0)));
      }
    }, x);
  }

  private static INDArray toBool(INDArray mask) {
    return mask.dataType() == DataType.BOOL ? mask : mask.neq(0.0);
  }
}
