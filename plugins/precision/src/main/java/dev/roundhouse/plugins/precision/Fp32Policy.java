package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fp32 policy: every weight and activation is used as stored (the model keeps fp32 values),
 * the loss is not scaled and every step is applied. Holds no state.
 */
final class Fp32Policy implements PrecisionPolicy {
  @Override
  public Tensor weight(Parameter p) {
    return p;
  }

  @Override
  public Tensor activation(Tensor x, ParamRole role) {
    return x;
  }

  /** True: activations are left as they are, so a MoE layer's routed rows go through in one call (no probe). */
  @Override
  public boolean activationRowwise(ParamRole role) {
    return true;
  }

  @Override
  public double lossScale() {
    return 1.0;
  }

  /** {@code "<role>" -> "fp32 storage, fp32 compute"} for every role, plus the loss scale. */
  @Override
  public Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    for (ParamRole role : ParamRole.values()) {
      d.put(role.name().toLowerCase(java.util.Locale.ROOT), "fp32 storage, fp32 compute");
    }
    d.put("loss_scale", "1 (none)");
    return d;
  }
}
