package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import dev.roundhouse.tensor.StepArena;

/**
 * fp16 operands (weights, activations and their gradients, IEEE overflow to infinity) with
 * dynamic loss scaling. After backward: if any gradient holds Inf/NaN the step is skipped and the
 * scale is multiplied by backoffFactor; otherwise gradients are divided by the scale in place and,
 * after growthInterval clean steps in a row, the scale grows by growthFactor.
 *
 * <p>State (checkpointed): {@code scale} (DOUBLE scalar), {@code good_steps} (LONG scalar).
 */
final class Fp16DynamicScalePolicy extends LowPrecisionPolicy {
  private final Fp16DynamicScaleConfig cfg;
  private double scale;
  private long goodSteps;

  Fp16DynamicScalePolicy(Fp16DynamicScaleConfig cfg, Set<ParamRole> roles) {
    super(roles, rounding(), "fp16 weights, activations and gradients (RNE, overflow to inf), fp32 accumulate",
        true); // element-wise roundings
    this.cfg = cfg;
    this.scale = cfg.initScale();
  }

  private static Rounding rounding() {
    UnaryOperator<INDArray> fp16 = x -> Quantizer.round(x, NumberFormat.FP16);
    return new Rounding(fp16, fp16, fp16, fp16);
  }

  @Override
  public double lossScale() {
    return scale;
  }

  @Override
  public boolean afterBackward(List<Parameter> params) {
    invalidateWeights();
    for (Parameter p : params) {
      if (!Double.isFinite(p.grad().sumNumber().doubleValue())) {
        scale = Math.max(cfg.minScale(), scale * cfg.backoffFactor());
        goodSteps = 0;
        return false;
      }
    }
    double inv = 1.0 / scale;
    for (Parameter p : params) {
      p.grad().muli(inv);
    }
    if (++goodSteps >= cfg.growthInterval()) {
      scale = scale * cfg.growthFactor();
      goodSteps = 0;
    }
    return true;
  }

  @Override
  String lossScaleDescription() {
    return "dynamic: init " + cfg.initScale() + ", x" + cfg.backoffFactor() + " on overflow (step skipped), x"
        + cfg.growthFactor() + " after " + cfg.growthInterval() + " clean steps";
  }

  @Override
  public Map<String, INDArray> state() {
    return StepArena.outside(() -> {
      Map<String, INDArray> s = new LinkedHashMap<>();
      s.put("scale", Nd4j.scalar(DataType.DOUBLE, scale));
      s.put("good_steps", Nd4j.scalar(DataType.LONG, goodSteps));
      return s;
    });
  }

  @Override
  public void loadState(Map<String, INDArray> state) {
    invalidateWeights();
    INDArray s = state.get("scale");
    INDArray g = state.get("good_steps");
    if (s == null || g == null) {
      throw new IllegalArgumentException("fp16-dynamic-scale: precision state lacks '" + (s == null ? "scale" : "good_steps") + "'");
    }
    scale = s.getDouble(0);
    goodSteps = g.getLong(0);
  }
}
