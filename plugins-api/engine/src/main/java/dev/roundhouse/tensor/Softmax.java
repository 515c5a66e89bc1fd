package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Numerically stable softmax and log-softmax along one axis, each with a fused backward (one
 * closure instead of the exp/sum/div graph). The max along the axis is subtracted before exp.
 */
public final class Softmax {
  private Softmax() {}

  /** s = exp(x - max) / sum(exp(x - max)); dx = s * (g - sum(g * s)). Same shape as x. */
  public static Tensor softmax(Tensor x, int axis) {
    int ax = Indexing.axis(axis, x.rank());
    INDArray xd = x.data();
    INDArray s = xd.sub(xd.max(true, ax));
    Transforms.exp(s, false);
    s.divi(s.sum(true, ax));
    return Tensor.result(s, g -> {
      if (x.requiresGrad()) {
        INDArray dot = g.mul(s).sum(true, ax); // [.., 1, ..]
        x.addGradOwned(g.sub(dot).muli(s));
      }
    }, x);
  }

  /** y = x - max - log(sum(exp(x - max))); dx = g - exp(y) * sum(g). Same shape as x. */
  public static Tensor logSoftmax(Tensor x, int axis) {
    int ax = Indexing.axis(axis, x.rank());
    INDArray xd = x.data();
    INDArray y = xd.sub(xd.max(true, ax));
    INDArray logZ = Transforms.log(Transforms.exp(y, true).sum(true, ax), false);
    y.subi(logZ);
    return Tensor.result(y, g -> {
      if (x.requiresGrad()) {
        INDArray dx = Transforms.exp(y, true).muli(g.sum(true, ax)).negi();
        x.addGradOwned(dx.addi(g));
      }
    }, x);
  }
}
