package dev.roundhouse.tensor;

import java.util.function.BiFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Differentiable elementwise functions of one tensor. Each computes its output with whole-array
 * ND4J ops; backward multiplies the incoming gradient by the local derivative (computed from the
 * saved input and/or output). Inputs may be non-contiguous views; outputs are fresh arrays.
 */
public final class Pointwise {
  private Pointwise() {}

  /** sqrt(2 / pi), used by the tanh form of GELU. */
  private static final double GELU_C = Math.sqrt(2.0 / Math.PI);
  private static final double GELU_A = 0.044715;

  /** Records y = f(x) with dL/dx = g * deriv(x, y). */
  private static Tensor unary(Tensor x, INDArray out, BiFunction<INDArray, INDArray, INDArray> deriv) {
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        x.addGradOwned(deriv.apply(x.data(), out).muli(g));
      }
    }, x);
  }

  public static Tensor exp(Tensor x) {
    return unary(x, Transforms.exp(x.data(), true), (in, out) -> out.dup());
  }

  public static Tensor log(Tensor x) {
    return unary(x, Transforms.log(x.data(), true), (in, out) -> in.rdiv(1.0));
  }

  public static Tensor sqrt(Tensor x) {
    return unary(x, Transforms.sqrt(x.data(), true), (in, out) -> out.rdiv(0.5)); // 1 / (2 sqrt x)
  }

  /** 1 / sqrt(x). */
  public static Tensor rsqrt(Tensor x) {
    INDArray out = Transforms.pow(x.data(), -0.5, true);
    return unary(x, out, (in, o) -> Transforms.pow(o, 3, true).muli(-0.5)); // -x^-1.5 / 2
  }

  public static Tensor square(Tensor x) {
    return unary(x, x.data().mul(x.data()), (in, out) -> in.mul(2.0));
  }

  public static Tensor tanh(Tensor x) {
    return unary(x, Transforms.tanh(x.data(), true), (in, out) -> out.mul(out).rsubi(1.0));
  }

  public static Tensor sigmoid(Tensor x) {
    return unary(x, Transforms.sigmoid(x.data(), true), (in, out) -> out.rsub(1.0).muli(out));
  }

  /**
   * x * sigmoid(x); derivative s * (1 + x * (1 - s)). FLOAT runs on oneDNN's vectorised eltwise
   * primitive ({@link DnnlEltwise}, ~45x ND4J's scalar sigmoid here; values within a few ulp of it),
   * other dtypes and a machine without oneDNN on ND4J.
   */
  public static Tensor silu(Tensor x) {
    if (x.dataType() == DataType.FLOAT && DnnlEltwise.ENABLED) {
      INDArray in = DnnlEltwise.usable(x.data()) ? x.data() : x.data().dup('c'); // [..], dense, c or f order
      INDArray out = Nd4j.createUninitialized(DataType.FLOAT, in.shape(), in.ordering()); // in's layout
      if (DnnlEltwise.usable(in) && DnnlEltwise.silu(in, out)) {
        return Tensor.result(out, g -> {
          if (x.requiresGrad()) {
            boolean sameLayout = DnnlEltwise.usable(g) && java.util.Arrays.equals(g.stride(), in.stride());
            INDArray gc = sameLayout ? g : g.dup(in.ordering());
            INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, in.shape(), in.ordering());
            if (!DnnlEltwise.siluBackward(in, gc, dx)) {
              dx = siluDerivative(in).muli(g);
            }
            x.addGradOwned(dx);
          }
        }, x);
      }
    }
    INDArray out;
    // s = sigmoid(x) is a temporary (op scratch); backward recomputes it from the saved x (same bits)
    try (OpScratch scratch = OpScratch.open()) {
      INDArray s = Transforms.sigmoid(x.data(), true);
      out = scratch.parent(() -> x.data().mul(s));
    }
    return unary(x, out, (in, o) -> siluDerivative(in));
  }

  /** d silu(x) / dx = s * (1 + x * (1 - s)), s = sigmoid(x) recomputed from x (same bits as forward). */
  private static INDArray siluDerivative(INDArray in) {
    INDArray s = Transforms.sigmoid(in, true);
    return s.rsub(1.0).muli(in).addi(1.0).muli(s);
  }

  /**
   * GELU, tanh approximation (as in GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
   * Derivative: 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
   */
  public static Tensor gelu(Tensor x) {
    INDArray in = x.data();
    INDArray x2 = in.mul(in);
    INDArray t = x2.mul(GELU_A).addi(1.0).muli(in).muli(GELU_C); // c (x + a x^3)
    Transforms.tanh(t, false);
    INDArray out = t.add(1.0).muli(in).muli(0.5);
    return unary(x, out, (i, o) -> {
      INDArray inner = x2.mul(3 * GELU_A).addi(1.0).muli(GELU_C); // c (1 + 3 a x^2)
      INDArray sech2 = t.mul(t).rsubi(1.0);
      return sech2.muli(inner).muli(i).muli(0.5).addi(t.add(1.0).muli(0.5));
    });
  }

  /** max(x, 0); gradient 1 where x > 0, else 0. */
  public static Tensor relu(Tensor x) {
    return unary(x, Transforms.relu(x.data(), true), (in, out) -> in.gt(0.0).castTo(in.dataType()));
  }

  /** Squared ReLU: max(x, 0)^2; gradient 2 max(x, 0). */
  public static Tensor relu2(Tensor x) {
    INDArray r = Transforms.relu(x.data(), true);
    return unary(x, r.mul(r), (in, out) -> r.mul(2.0));
  }

  /** x^p; gradient p x^(p-1). */
  public static Tensor pow(Tensor x, double p) {
    return unary(x, Transforms.pow(x.data(), p, true), (in, out) -> Transforms.pow(in, p - 1, true).muli(p));
  }
}
