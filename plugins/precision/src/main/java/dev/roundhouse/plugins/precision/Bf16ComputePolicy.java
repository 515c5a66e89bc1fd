package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Bf16;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code bf16-mixed} policy: the products of the listed roles compute in bf16. {@link #weight}
 * and {@link #activation} return BFLOAT16 tensors (one cast pass each, round to nearest even);
 * {@link dev.roundhouse.tensor.MatOps} then runs the forward product and both backward products
 * (input and weight gradients) with bf16 operands and fp32 accumulation ({@link Bf16}) and hands
 * back FLOAT results and gradients. Master weights, their gradients, optimizer state, the router,
 * norms, softmax, SiLU and the loss stay fp32.
 *
 * <p>A weight is cast once per forward pass (per shard and micro-batch) and that one bf16 copy
 * serves its forward product and its input-gradient product; an activation entering several
 * products (q, k, v; gate and up) is cast once. Stateless and thread-safe: every cast belongs to
 * the calling shard's graph.
 */
final class Bf16ComputePolicy implements PrecisionPolicy {
  private final Set<ParamRole> roles;

  Bf16ComputePolicy(Set<ParamRole> roles) {
    this.roles = Set.copyOf(roles);
  }

  @Override
  public Tensor weight(Parameter p) {
    return roles.contains(p.role()) ? Bf16.cast(p) : p;
  }

  @Override
  public Tensor activation(Tensor x, ParamRole role) {
    return roles.contains(role) ? Bf16.cast(x) : x;
  }

  Set<ParamRole> roles() {
    return roles;
  }

  /** Per role: the format in force; plus how products run on this machine, state and loss scale. */
  @Override
  public Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    for (ParamRole r : ParamRole.values()) {
      d.put(Roles.name(r), roles.contains(r)
          ? "bf16 operands (RNE casts) in forward, input-gradient and weight-gradient products, fp32 accumulate,"
              + " result rounded to bf16 and widened to fp32; fp32 master weights"
          : Roles.whyFp32(r));
    }
    d.put("bf16_products", Bf16.describe());
    d.put("optimizer_state", "fp32");
    d.put("reductions", "fp32 (softmax, norms, SiLU, losses, gradient accumulation)");
    d.put("loss_scale", "1 (none)");
    return d;
  }
}
