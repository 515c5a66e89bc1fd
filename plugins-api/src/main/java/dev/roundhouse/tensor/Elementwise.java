package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Elementwise arithmetic with numpy-style broadcasting. */
public final class Elementwise {
  private Elementwise() {}

  private static INDArray[] aligned(Tensor a, Tensor b) {
    long[] shape = Broadcast.shape(a.shape(), b.shape());
    return new INDArray[] {Broadcast.expand(a.data(), shape), Broadcast.expand(b.data(), shape)};
  }

  public static Tensor add(Tensor a, Tensor b) {
    INDArray[] x = aligned(a, b);
    return Tensor.result(x[0].add(x[1]), g -> {
      a.addGrad(g);
      b.addGrad(g);
    }, a, b);
  }

  public static Tensor sub(Tensor a, Tensor b) {
    INDArray[] x = aligned(a, b);
    return Tensor.result(x[0].sub(x[1]), g -> {
      a.addGrad(g);
      if (b.requiresGrad()) {
        b.addGradOwned(g.neg());
      }
    }, a, b);
  }

  public static Tensor mul(Tensor a, Tensor b) {
    INDArray[] x = aligned(a, b);
    return Tensor.result(x[0].mul(x[1]), g -> {
      if (a.requiresGrad()) {
        a.addGradOwned(g.mul(x[1]));
      }
      if (b.requiresGrad()) {
        b.addGradOwned(g.mul(x[0]));
      }
    }, a, b);
  }

  public static Tensor div(Tensor a, Tensor b) {
    INDArray[] x = aligned(a, b);
    INDArray out = x[0].div(x[1]);
    return Tensor.result(out, g -> {
      if (a.requiresGrad()) {
        a.addGradOwned(g.div(x[1]));
      }
      if (b.requiresGrad()) {
        b.addGradOwned(g.mul(out).divi(x[1]).negi()); // d(a/b)/db = -a/b^2
      }
    }, a, b);
  }

  /** s * a. */
  public static Tensor scale(Tensor a, double s) {
    return Tensor.result(a.data().mul(s), g -> a.addGradOwned(g.mul(s)), a);
  }

  /** a + s. */
  public static Tensor addScalar(Tensor a, double s) {
    return Tensor.result(a.data().add(s), a::addGrad, a);
  }

  public static Tensor neg(Tensor a) {
    return scale(a, -1.0);
  }
}
