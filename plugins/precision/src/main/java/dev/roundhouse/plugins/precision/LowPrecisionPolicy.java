package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A policy that computes the matmuls of some parameter roles in an emulated low-precision format:
 * the weight and the activation entering the product are rounded (with straight-through
 * gradients), the product itself runs in fp32 (exact for the rounded operands up to fp32
 * accumulation, like tensor cores with fp32 accumulators). Master weights, gradients, optimizer
 * state and reductions stay fp32. Roles not listed compute in fp32.
 *
 * <p>A weight's rounded value is made once per optimizer step and shared by the data-parallel
 * shards and micro-batches ({@link WeightCache}, dropped in {@link #afterBackward}). Apart from that
 * cache (thread-safe) stateless; see {@link Fp16DynamicScalePolicy} for the variant with loss scaling.
 */
class LowPrecisionPolicy implements PrecisionPolicy {
  /** The four roundings a policy applies; a null gradient rounding passes gradients unchanged. */
  record Rounding(UnaryOperator<INDArray> weight, UnaryOperator<INDArray> activation,
      UnaryOperator<INDArray> weightGrad, UnaryOperator<INDArray> activationGrad) {}

  private final Set<ParamRole> roles;
  private final Rounding rounding;
  private final String what;
  private final WeightCache weights;
  private final boolean rowwise;
  private final GroupRounding groups;

  /**
   * Activation and activation-gradient rounding over row groups in one pass, one scale per group
   * (per-tensor scaling applied per group), and the weight rounding of several same-shaped weights
   * in one pass, written into an [n, len] array whose row i receives weight i (one scale per weight;
   * null: one weight at a time); each must give the same values
   * as {@link Rounding}'s per-group / per-weight rounding. A null gradient rounding passes gradients
   * unchanged.
   */
  record GroupRounding(BiFunction<INDArray, int[], INDArray> activation,
      BiFunction<INDArray, int[], INDArray> activationGrad, BiConsumer<List<INDArray>, INDArray> weights) {}

  /** {@code what}: one line for the run record, e.g. "bf16 weights and activations (RNE), fp32 accumulate". */
  LowPrecisionPolicy(Set<ParamRole> roles, Rounding rounding, String what) {
    this(roles, rounding, what, false);
  }

  /**
   * As above; {@code rowwise}: the activation rounding and the activation-gradient rounding treat
   * each row on its own (element-wise, or scales shared only within a row), see
   * {@link PrecisionPolicy#activationRowwise}.
   */
  LowPrecisionPolicy(Set<ParamRole> roles, Rounding rounding, String what, boolean rowwise) {
    this(roles, rounding, what, rowwise, null);
  }

  /** As above, with a one-pass rounding over row groups for {@link #activationGroups} (may be null). */
  LowPrecisionPolicy(Set<ParamRole> roles, Rounding rounding, String what, boolean rowwise, GroupRounding groups) {
    this.groups = groups;
    this.rowwise = rowwise;
    this.roles = Set.copyOf(roles);
    this.rounding = rounding;
    this.what = what;
    this.weights = new WeightCache(null, rounding.weight(), groups == null ? null : groups.weights());
  }

  /**
   * p's rounded copy. Without a weight-gradient rounding the copy is a straight-through node: the
   * products accumulate the weight gradient straight into p's fp32 gradient (no temporary and add).
   */
  @Override
  public Tensor weight(Parameter p) {
    if (!roles.contains(p.role())) {
      return p;
    }
    INDArray y = weights.get(p);
    return rounding.weightGrad() == null ? Tensor.straightThrough(y, p) : QuantizeOp.rounded(p, y, rounding.weightGrad());
  }

  /** Drops the cached weight copies: the optimizer step that follows changes the weights. */
  @Override
  public boolean afterBackward(List<Parameter> params) {
    invalidateWeights();
    return true;
  }

  final void invalidateWeights() {
    weights.invalidate();
  }

  @Override
  public Tensor activation(Tensor x, ParamRole role) {
    return roles.contains(role) ? QuantizeOp.apply(x, rounding.activation(), rounding.activationGrad()) : x;
  }

  /** True for roles this policy leaves alone, and for listed roles when its roundings are row-wise. */
  @Override
  public boolean activationRowwise(ParamRole role) {
    return rowwise || !roles.contains(role);
  }

  /**
   * Row-wise roundings: one rounding over all rows; per-tensor scales with a {@link GroupRounding}:
   * one scale per group and one rounding pass (same values as per-group {@link #activation});
   * otherwise the default split / per-group rounding / concat.
   */
  @Override
  public Tensor activationGroups(Tensor x, int[] offsets, ParamRole role) {
    if (!roles.contains(role) || rowwise || groups == null || x.rank() != 2) {
      return PrecisionPolicy.super.activationGroups(x, offsets, role);
    }
    BiFunction<INDArray, int[], INDArray> gq = groups.activationGrad();
    return QuantizeOp.apply(x, a -> groups.activation().apply(a, offsets),
        gq == null ? null : g -> gq.apply(g, offsets));
  }

  Set<ParamRole> roles() {
    return roles;
  }

  /** Per role: the format in force and why; plus master weights, optimizer state and loss scale. */
  @Override
  public Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    for (ParamRole r : ParamRole.values()) {
      d.put(Roles.name(r), roles.contains(r) ? what + "; fp32 master weights" : Roles.whyFp32(r));
    }
    d.put("optimizer_state", "fp32");
    d.put("reductions", "fp32 (softmax, norms, losses, gradient accumulation)");
    d.put("loss_scale", lossScaleDescription());
    return d;
  }

  String lossScaleDescription() {
    return "1 (none)";
  }
}
