package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Sums and means over all elements or over axes. */
public final class Reductions {
  private Reductions() {}

  /** Sum of all elements -> scalar of shape []. */
  public static Tensor sumAll(Tensor x) {
    INDArray out = x.data().sum();
    return Tensor.result(out, g -> x.addGradOwned(x.data().ulike().assign(g.getDouble(0))), x);
  }

  /** Mean of all elements -> scalar. */
  public static Tensor meanAll(Tensor x) {
    double n = x.data().length();
    INDArray out = x.data().mean();
    return Tensor.result(out, g -> x.addGradOwned(x.data().ulike().assign(g.getDouble(0) / n)), x);
  }

  /** Sum over {@code axes}; keepDims keeps them as size 1. */
  public static Tensor sum(Tensor x, boolean keepDims, int... axes) {
    INDArray out = x.data().sum(keepDims, axes);
    long[] kept = keptShape(x.shape(), axes);
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        INDArray gk = g.reshape(kept);
        INDArray full = Broadcast.expand(gk, x.shape()); // fresh unless nothing was reduced
        x.addGradOwned(full == gk ? gk.dup() : full);
      }
    }, x);
  }

  /** Mean over {@code axes}; keepDims keeps them as size 1. */
  public static Tensor mean(Tensor x, boolean keepDims, int... axes) {
    long count = 1;
    for (int a : axes) {
      count *= x.size(a);
    }
    return Elementwise.scale(sum(x, keepDims, axes), 1.0 / count);
  }

  /**
   * log(sum(exp(x))) along {@code axis}, stable (the max is subtracted first). Backward: g *
   * softmax(x) along the axis. keepDims keeps the axis as size 1.
   */
  public static Tensor logSumExp(Tensor x, int axis, boolean keepDims) {
    int ax = Indexing.axis(axis, x.rank());
    INDArray xd = x.data();
    INDArray max = xd.max(true, ax); // [.., 1, ..]
    INDArray lse = Transforms.log(Transforms.exp(xd.sub(max), false).sum(true, ax), false).addi(max);
    long[] kept = lse.shape();
    INDArray out = keepDims ? lse : lse.reshape(reducedShape(x.shape(), ax));
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        INDArray p = Transforms.exp(xd.sub(lse), false); // softmax along the axis
        x.addGradOwned(p.muli(g.reshape(kept)));
      }
    }, x);
  }

  private static long[] reducedShape(long[] shape, int axis) {
    long[] out = new long[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i != axis) {
        out[j++] = shape[i];
      }
    }
    return out;
  }

  static long[] keptShape(long[] shape, int... axes) {
    long[] kept = shape.clone();
    for (int a : axes) {
      kept[a < 0 ? a + shape.length : a] = 1;
    }
    return kept;
  }
}
