package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

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

  /** x: [N, E], 1 <= k <= E. Uses libnd4j top_k (sorted); ties keep an arbitrary but valid order. */
  public static TopK topK(Tensor x, int k) {
    if (x.rank() != 2 || k < 1 || k > x.size(1)) {
      throw new IllegalArgumentException("topK needs x [N, E] and 1 <= k <= E, got x "
          + Arrays.toString(x.shape()) + ", k " + k);
    }
    long n = x.size(0);
    long e = x.size(1);
    INDArray[] res = Nd4j.exec(DynamicCustomOp.builder("top_k")
        .addInputs(x.data()).addIntegerArguments(k).addBooleanArguments(true).build());
    INDArray values = res[0]; // [N, k]
    INDArray indices = res[1].dataType() == DataType.LONG ? res[1] : res[1].castTo(DataType.LONG);
    Tensor v = Tensor.result(values, g -> {
      if (x.requiresGrad()) {
        long[] offsets = new long[(int) n]; // row n starts at n * E in the flat [N * E] view
        for (int i = 0; i < n; i++) {
          offsets[i] = i * e;
        }
        INDArray flat = indices.add(Nd4j.createFromArray(offsets).reshape(n, 1)).reshape(n * k);
        INDArray dx = Indexing.scatterAddRows(g.reshape('c', new long[] {n * k}), flat, n * e);
        x.addGradOwned(dx.reshape(n, e));
      }
    }, x);
    return new TopK(v, indices);
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
