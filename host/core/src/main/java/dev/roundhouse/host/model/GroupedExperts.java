package dev.roundhouse.host.model;

import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.GroupedProducts;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The routed experts' SwiGLU over rows grouped by expert, as three grouped products
 * ({@link GroupedProducts#linearT}) and one SiLU and one multiply over all rows, instead of one
 * SwiGLU (split view, three products, SiLU, multiply) per active expert and a concatenation.
 * Same values as {@link SwiGlu#forward} per expert block: the same gemms on the same operands, and
 * SiLU and the multiply are element-wise.
 *
 * <p>Used when the precision policy leaves the routed experts' activations as they are
 * ({@link PrecisionPolicy#activation} returns its argument, as fp32 does) or declares its
 * activation rounding row-wise ({@link PrecisionPolicy#activationRowwise}: bf16-mixed, fp16,
 * fp8 with block scales): then the activation is rounded once over all routed rows (one bf16 cast
 * of the gathered rows and one of the hidden rows, reused by every expert's forward product and by
 * the weight-gradient products in backward), which gives the same values as one rounding per
 * expert block. A policy with per-tensor scales (fp8 {@code "tensor"}, nvfp4) sees each expert's
 * block on its own, as before, through {@link SwiGlu#forward}. {@code -Droundhouse.moe.grouped=false} turns
 * the grouped form off for layers that have not run yet (before/after benchmarks; same values
 * either way). Stateless; thread-safe.
 */
public final class GroupedExperts {
  /** The system property that turns the grouped form off ("false"); read when a layer first runs. */
  public static final String PROPERTY = "roundhouse.moe.grouped";

  private GroupedExperts() {}

  /**
   * Whether {@code precision} leaves routed-expert activations as they are: probed once with a
   * one-element FLOAT constant (a policy's {@link PrecisionPolicy#activation} must not depend on
   * state, so the answer holds for the run). False when the grouped form is turned off.
   */
  static boolean applies(PrecisionPolicy precision) {
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
      return false;
    }
    if (precision.activationRowwise(ParamRole.ROUTED_EXPERT)) {
      return true;
    }
    Tensor probe = Tensor.constant(Nd4j.scalar(DataType.FLOAT, 1.0f).reshape(1, 1));
    return precision.activation(probe, ParamRole.ROUTED_EXPERT) == probe;
  }

  /**
   * The experts' outputs for their row blocks, or null when the policy changes the activations
   * (the caller then runs each expert's {@link SwiGlu#forward}). Call only where {@link #applies}.
   *
   * @param xs [M', d] rows grouped by expert
   * @param active the active experts in row order; expert active.get(i) owns rows offsets[i] .. offsets[i+1] - 1
   * @param offsets [active + 1] row offsets, offsets[0] = 0, last = M'
   * @return [M', d]
   */
  static Tensor forward(Tensor xs, List<SwiGlu> active, int[] offsets, PrecisionPolicy precision) {
    boolean rowwise = precision.activationRowwise(ParamRole.ROUTED_EXPERT);
    Tensor xin = precision.activation(xs, ParamRole.ROUTED_EXPERT); // [M', d]: one cast / rounding for all rows
    if (xin != xs && !rowwise) {
      return null;
    }
    List<Tensor> w1 = new ArrayList<>(active.size());
    List<Tensor> w3 = new ArrayList<>(active.size());
    List<Tensor> w2 = new ArrayList<>(active.size());
    for (SwiGlu e : active) {
      w1.add(e.gateWeight());
      w3.add(e.upWeight());
      w2.add(e.downWeight());
    }
    Tensor gate = GroupedProducts.linearT(xin, offsets, w1); // [M', h]
    Tensor up = GroupedProducts.linearT(xin, offsets, w3); // [M', h]
    Tensor hidden = Elementwise.mul(Pointwise.silu(gate), up); // [M', h]
    Tensor hin = precision.activation(hidden, ParamRole.ROUTED_EXPERT);
    if (hin == hidden || rowwise) {
      return GroupedProducts.linearT(hin, offsets, w2); // [M', d]
    }
    // The policy changes this activation: each expert's block on its own, as SwiGlu does.
    long[] sizes = new long[active.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = offsets[i + 1] - offsets[i];
    }
    List<Tensor> blocks = sizes.length == 1 ? List.of(hidden) : Shapes.split(hidden, 0, sizes);
    Tensor[] ys = new Tensor[sizes.length];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = MatOps.linearT(precision.activation(blocks.get(i), ParamRole.ROUTED_EXPERT), w2.get(i));
    }
    return ys.length == 1 ? ys[0] : Shapes.concat(0, ys);
  }
}
