package dev.roundhouse.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference gradient check, usable by the engine's tests and by plugin authors.
 *
 * <p>The function's output is projected to a scalar with fixed random weights R (loss =
 * sum(f(x) * R)) so every output element contributes. Analytical gradients come from {@link
 * Tensor#backward()}; numerical ones from central differences with step {@code eps}. The reported
 * error for each input is max|analytic - numeric| / max(max|numeric|, 1e-8). Run in DOUBLE.
 */
public final class GradCheck {
  private GradCheck() {}

  /** Result per input: the relative error defined above. */
  public record Result(List<Double> relativeErrors) {
    public double max() {
      return relativeErrors.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
  }

  /** Leaves for a check: DOUBLE copies of {@code values} as parameters. */
  public static List<Parameter> leaves(INDArray... values) {
    List<Parameter> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      out.add(new Parameter("x" + i, ParamRole.OTHER, values[i].castTo(DataType.DOUBLE).dup('c')));
    }
    return out;
  }

  public static Result check(Function<List<Parameter>, Tensor> f, List<Parameter> inputs, double eps) {
    for (Parameter p : inputs) {
      if (p.dataType() != DataType.DOUBLE) {
        throw new IllegalArgumentException("gradient checks need DOUBLE inputs, " + p.name() + " is " + p.dataType());
      }
      p.zeroGrad();
    }
    Tensor out = f.apply(inputs);
    INDArray weights = Nd4j.rand(out.dataType(), out.shape()).subi(0.5).muli(2);
    Tensor loss = Reductions.sumAll(Elementwise.mul(out, Tensor.constant(weights)));
    loss.backward();
    List<Double> errors = new ArrayList<>();
    for (Parameter p : inputs) {
      INDArray analytic = p.grad().dup();
      INDArray numeric = Nd4j.zeros(DataType.DOUBLE, p.shape());
      INDArray flat = p.data().reshape(p.data().length());
      INDArray numFlat = numeric.reshape(numeric.length());
      for (long i = 0; i < flat.length(); i++) {
        double orig = flat.getDouble(i);
        flat.putScalar(i, orig + eps);
        double plus = evaluate(f, inputs, weights);
        flat.putScalar(i, orig - eps);
        double minus = evaluate(f, inputs, weights);
        flat.putScalar(i, orig);
        numFlat.putScalar(i, (plus - minus) / (2 * eps));
      }
      double scale = Math.max(numeric.amaxNumber().doubleValue(), 1e-8);
      errors.add(analytic.sub(numeric).amaxNumber().doubleValue() / scale);
    }
    return new Result(errors);
  }

  public static Result check(Function<List<Parameter>, Tensor> f, List<Parameter> inputs) {
    return check(f, inputs, 1e-6);
  }

  private static double evaluate(Function<List<Parameter>, Tensor> f, List<Parameter> inputs, INDArray w) {
    try (NoGrad g = NoGrad.enter()) {
      return f.apply(inputs).data().mul(w).sumNumber().doubleValue();
    }
  }
}
