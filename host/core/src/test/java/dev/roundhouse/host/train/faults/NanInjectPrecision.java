package dev.roundhouse.host.train.faults;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Test precision {@code "nan-inject"}: fp32, except that it injects NaN on purpose.
 * <ul>
 *   <li>{@code weightParam} + {@code fromForward..toForward}: the n-th use of that weight in a forward pass (1-based;
 *       one per training step with gradAccum 1 and no evaluation in between) computes with NaN instead;
 *   <li>{@code gradParam} + {@code gradAtStep}: after the backward of optimizer step k (the k-th call of
 *       afterBackward) element 0 of that parameter's gradient is set to NaN.
 * </ul>
 */
public class NanInjectPrecision implements PrecisionProvider<NanInjectPrecision.Config> {
  /** See the class comment; absent fields inject nothing. */
  public record Config(String weightParam, Integer fromForward, Integer toForward, String gradParam,
      Integer gradAtStep) {}

  @Override
  public String id() {
    return "nan-inject";
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public PrecisionPolicy build(Config c, PrecisionContext context) {
    return new PrecisionPolicy() {
      private int forwards;
      private int backwards;

      @Override
      public Tensor weight(Parameter p) {
        if (p.name().equals(c.weightParam())) {
          forwards++;
          if (forwards >= c.fromForward() && forwards <= c.toForward()) {
            INDArray w = p.data().dup();
            w.putScalar(0, Double.NaN); // (ND4J's scalar multiply by NaN does not yield NaN)
            return Tensor.result(w, g -> { }, p);
          }
        }
        return p;
      }

      @Override
      public boolean afterBackward(List<Parameter> params) {
        backwards++;
        if (c.gradAtStep() != null && backwards == c.gradAtStep()) {
          for (Parameter p : params) {
            if (p.name().equals(c.gradParam())) {
              p.grad().putScalar(0, Double.NaN);
            }
          }
        }
        return true;
      }
    };
  }
}
