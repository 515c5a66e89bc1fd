package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.Tensor;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The differentiable rounding op: forward applies a quantiser, backward passes the gradient
 * straight through (d round(x)/dx := 1), optionally rounding the gradient itself to a gradient
 * format (e5m2 for fp8, fp16 under dynamic loss scaling, where an overflow becomes infinity).
 */
final class QuantizeOp {
  private QuantizeOp() {}

  /** x: any shape -> same shape. {@code gradQuant} may be null (gradient unchanged). */
  static Tensor apply(Tensor x, UnaryOperator<INDArray> forward, UnaryOperator<INDArray> gradQuant) {
    INDArray y = forward.apply(x.data());
    return Tensor.result(y, g -> {
      if (x.requiresGrad()) {
        if (gradQuant == null) {
          x.addGrad(g);
        } else {
          x.addGradOwned(gradQuant.apply(g));
        }
      }
    }, x);
  }
}
