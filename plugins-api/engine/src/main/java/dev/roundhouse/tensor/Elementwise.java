package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise arithmetic with numpy-style broadcasting. Broadcast operands are never materialised:
 * forward and backward products run as libnd4j broadcastable ops ({@link Broadcast#binary}).
 */
public final class Elementwise {
  private Elementwise() {}

  public static Tensor add(Tensor a, Tensor b) {
    return Tensor.result(Broadcast.binary("add", a.data(), b.data()), g -> {
      b.addGrad(g); // reads g now (copy or sum) ...
      a.addGradOwned(g); // ... so a may keep g itself (g belongs to this node)
    }, a, b);
  }

  public static Tensor sub(Tensor a, Tensor b) {
    return Tensor.result(Broadcast.binary("subtract", a.data(), b.data()), g -> {
      if (b.requiresGrad()) {
        b.addGradOwned(g.neg());
      }
      a.addGradOwned(g); // g belongs to this node
    }, a, b);
  }

  public static Tensor mul(Tensor a, Tensor b) {
    INDArray ad = a.data();
    INDArray bd = b.data();
    return Tensor.result(Broadcast.binary("multiply", ad, bd), g -> {
      if (a.requiresGrad()) {
        a.addGradOwned(Broadcast.binary("multiply", g, bd));
      }
      if (b.requiresGrad()) {
        b.addGradOwned(Broadcast.binary("multiply", g, ad));
      }
    }, a, b);
  }

  public static Tensor div(Tensor a, Tensor b) {
    INDArray bd = b.data();
    INDArray out = Broadcast.binary("divide", a.data(), bd);
    return Tensor.result(out, g -> {
      if (a.requiresGrad()) {
        a.addGradOwned(Broadcast.binary("divide", g, bd));
      }
      if (b.requiresGrad()) {
        b.addGradOwned(Broadcast.binary("divide", g.mul(out), bd).negi()); // d(a/b)/db = -a/b^2
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
