package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Bf16;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code bf16-mixed} policy: the products of the listed roles compute in bf16. {@link #weight}
 * and {@link #activation} return BFLOAT16 tensors (one cast pass each, round to nearest even);
 * {@link dev.roundhouse.tensor.MatOps} then runs the forward product and both backward products
 * (input and weight gradients) with bf16 operands and fp32 accumulation ({@link Bf16}) and hands
 * back FLOAT results and gradients. Master weights, their gradients, optimizer state, the router,
 * norms, softmax, SiLU and the loss stay fp32.
 *
 * <p>A weight is cast once per optimizer step: the bf16 copy is shared by every data-parallel
 * shard and micro-batch and serves the forward and input-gradient products ({@link WeightCache},
 * dropped in {@link #afterBackward} because the optimizer step that follows changes the weights).
 * An activation entering several products (q, k, v; gate and up) is cast once. Thread-safe: the
 * cache is the only state; every activation cast belongs to the calling shard's graph.
 */
final class Bf16ComputePolicy implements PrecisionPolicy {
  private final Set<ParamRole> roles;
  private final WeightCache casts = new WeightCache(DataType.BFLOAT16, w -> Bf16.convert(w, DataType.BFLOAT16));

  Bf16ComputePolicy(Set<ParamRole> roles) {
    this.roles = Set.copyOf(roles);
  }

  /** p's bf16 copy; its gradient (FLOAT, from the products) passes straight to p. */
  @Override
  public Tensor weight(Parameter p) {
    return roles.contains(p.role()) ? Tensor.straightThrough(casts.get(p), p) : p; // products accumulate into p's fp32 gradient
  }

  /** Drops the cached bf16 weight copies: the optimizer step that follows changes the weights. */
  @Override
  public boolean afterBackward(List<Parameter> params) {
    casts.invalidate();
    return true;
  }

  @Override
  public void loadState(Map<String, INDArray> state) {
    casts.invalidate();
  }

  @Override
  public Tensor activation(Tensor x, ParamRole role) {
    return roles.contains(role) ? Bf16.cast(x) : x;
  }

  /** True: the bf16 cast (and its straight-through gradient) is element-wise. */
  @Override
  public boolean activationRowwise(ParamRole role) {
    return true;
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
