package dev.roundhouse.testing;

import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Assertions over {@link GradCheck}: the analytic gradient of {@code f} (from {@code backward()}) matches
 * central finite differences for every input. Run in DOUBLE ({@link DoublePrecision}); keep inputs small
 * (each element costs two forward passes).
 */
public final class GradChecks {
  /** Finite-difference step used by {@link #assertGradients(Function, double, INDArray...)}. */
  public static final double EPS = 1e-6;

  private GradChecks() {}

  /**
   * Checks {@code f} at DOUBLE copies of {@code inputs} and fails naming the worst input when any relative
   * error (see {@link GradCheck}) exceeds {@code tolerance}; 1e-6 suits smooth ops, piecewise ones (top-k,
   * ReLU) need inputs away from their kinks.
   *
   * @return the result, for further assertions
   */
  public static GradCheck.Result assertGradients(Function<List<Parameter>, Tensor> f, double tolerance,
      INDArray... inputs) {
    GradCheck.Result r = GradCheck.check(f, GradCheck.leaves(inputs), EPS);
    List<Double> errors = r.relativeErrors();
    for (int i = 0; i < errors.size(); i++) {
      if (!(errors.get(i) <= tolerance)) {
        throw new AssertionError("gradient of input " + i + " differs from finite differences: relative error "
            + errors.get(i) + " > " + tolerance + " (all: " + errors + ")");
      }
    }
    return r;
  }

  /**
   * Checks the gradients of a component's own parameters: {@code loss} is recomputed from scratch for each
   * finite difference, so it must rebuild its forward pass from {@code params}' current values.
   */
  public static GradCheck.Result assertParameterGradients(Function<List<Parameter>, Tensor> loss,
      List<Parameter> params, double tolerance) {
    GradCheck.Result r = GradCheck.check(loss, params, EPS);
    if (!(r.max() <= tolerance)) {
      throw new AssertionError("parameter gradients differ from finite differences: relative errors "
          + r.relativeErrors() + " > " + tolerance);
    }
    return r;
  }
}
