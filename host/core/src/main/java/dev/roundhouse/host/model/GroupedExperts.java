package dev.roundhouse.host.model;

import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.GroupedProducts;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The routed experts' SwiGLU over rows grouped by expert, as three grouped products
 * ({@link GroupedProducts#linearT}) and one SiLU and one multiply over all rows, instead of one
 * SwiGLU (split view, three products, SiLU, multiply) per active expert and a concatenation.
 * Same values as {@link SwiGlu#forward} per expert block: the same gemms on the same operands, and
 * SiLU and the multiply are element-wise.
 *
 * <p>Used for every precision policy: the policy rounds the routed rows and the hidden rows once
 * per layer through {@link PrecisionPolicy#activationGroups} (one group per expert), which gives
 * the same values as its per-block {@link PrecisionPolicy#activation}: one cast over all rows for
 * row-wise roundings (bf16-mixed, fp16, fp8 block scales), one scale per expert block with a
 * single rounding pass for fp8 tensor scaling, a split / per-block rounding / concat otherwise
 * (nvfp4). The bf16 copy of a cast activation is reused by every expert's forward product and by
 * the weight-gradient products in backward. {@code -Droundhouse.moe.grouped=false} turns
 * the grouped form off for layers that have not run yet (before/after benchmarks; same values
 * either way). Stateless; thread-safe.
 */
public final class GroupedExperts {
  /** The system property that turns the grouped form off ("false"); read when a layer first runs. */
  public static final String PROPERTY = "roundhouse.moe.grouped";

  private GroupedExperts() {}

  /** Whether the grouped form is on: always, unless {@code -Droundhouse.moe.grouped=false}. */
  static boolean applies(PrecisionPolicy precision) {
    return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
  }

  /**
   * The experts' outputs for their row blocks: the routed rows and the hidden rows each go through
   * the policy once ({@link PrecisionPolicy#activationGroups}, one group per active expert: the same
   * values as one {@link PrecisionPolicy#activation} call per expert block), then three grouped
   * products and one SiLU and multiply over all rows.
   *
   * @param xs [M', d] rows grouped by expert
   * @param active the active experts in row order; expert active.get(i) owns rows offsets[i] .. offsets[i+1] - 1
   * @param offsets [active + 1] row offsets, offsets[0] = 0, last = M'
   * @return [M', d]
   */
  static Tensor forward(Tensor xs, List<SwiGlu> active, int[] offsets, PrecisionPolicy precision) {
    List<Tensor> w1 = new ArrayList<>(active.size());
    List<Tensor> w3 = new ArrayList<>(active.size());
    List<Tensor> w2 = new ArrayList<>(active.size());
    for (SwiGlu e : active) {
      w1.add(e.gateWeight());
      w3.add(e.upWeight());
      w2.add(e.downWeight());
    }
    Tensor xin = precision.activationGroups(xs, offsets, ParamRole.ROUTED_EXPERT); // [M', d]
    Tensor gate = GroupedProducts.linearT(xin, offsets, w1); // [M', h]
    Tensor up = GroupedProducts.linearT(xin, offsets, w3); // [M', h]
    Tensor hidden = Elementwise.mul(Pointwise.silu(gate), up); // [M', h]
    Tensor hin = precision.activationGroups(hidden, offsets, ParamRole.ROUTED_EXPERT); // [M', h]
    return GroupedProducts.linearT(hin, offsets, w2); // [M', d]
  }
}
