package dev.roundhouse.host.model;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.api.Trainable;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.Index;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DeepSeek-style MoE FFN: a router plugin picks experts per token; routed SwiGLU experts run only on
 * the rows routed to them (dropless by default); shared experts run on every token.
 *
 * <p>Dispatch: gather the routed rows once, grouped by expert ([M', d]); the active experts' SwiGLU
 * on their row blocks; weight by the gates; scatter-add back to token rows. Compute scales with
 * top-k, not with the number of experts. The experts run as three grouped products and one SiLU
 * and multiply over all rows, the precision policy rounding the routed and hidden rows once per
 * layer with one group per expert ({@link GroupedExperts}); with {@code -Droundhouse.moe.grouped=false}
 * (or {@link #groupedExperts}(false)) the rows are split into one block per active expert, one
 * SwiGLU (three gemms) each, and concatenated. Same values either way.
 */
public final class MoeLayer implements Trainable {
  /** What one forward pass routed, for router health and metrics. */
  public record LayerRouting(long[] tokensPerExpert, int dropped, Routing routing, DispatchPlan plan) {}

  private final String routerId;
  private final Router router;
  private final List<SwiGlu> experts = new ArrayList<>();
  private final List<SwiGlu> shared = new ArrayList<>();
  private final Double capacityFactor;
  private final DispatchPlan.DropPolicy dropPolicy;
  private final PrecisionPolicy precision;
  private Boolean grouped; // GroupedExperts.applies(precision), probed on the first forward pass
  private LayerRouting last;

  public MoeLayer(String routerId, Router router, ParameterFactory params, int dModel, int numExperts,
      int expertHidden, int numShared, int sharedHidden, Double capacityFactor, DispatchPlan.DropPolicy dropPolicy,
      PrecisionPolicy precision) {
    this.routerId = routerId;
    this.router = router;
    this.capacityFactor = capacityFactor;
    this.dropPolicy = dropPolicy;
    this.precision = precision;
    for (int e = 0; e < numExperts; e++) {
      experts.add(new SwiGlu(sub(params, "experts." + e + "."), ParamRole.ROUTED_EXPERT, dModel, expertHidden, precision));
    }
    for (int s = 0; s < numShared; s++) {
      shared.add(new SwiGlu(sub(params, "shared." + s + "."), ParamRole.SHARED_EXPERT, dModel, sharedHidden, precision));
    }
  }

  private static ParameterFactory sub(ParameterFactory parent, String prefix) {
    return new PrefixedParameterFactory(parent, prefix);
  }

  /** x: [N, d] -> [N, d]; the routing of this pass is kept in {@link #lastRouting()}. */
  public Tensor forward(Tensor x, int seqLen) {
    int n = (int) x.size(0);
    Routing r = router.route(x, seqLen);
    checkRouting(r, n);
    int capacity = capacityFactor == null ? -1
        : DispatchPlan.capacity(capacityFactor, r.tokenIndex().length, experts.size());
    double[] gateValues = capacity >= 0 && dropPolicy == DispatchPlan.DropPolicy.GATE
        ? r.gates().data().toDoubleVector() : null;
    DispatchPlan plan = DispatchPlan.build(r.tokenIndex(), r.expertIndex(), experts.size(), capacity, dropPolicy, gateValues);
    last = new LayerRouting(plan.tokensPerExpert(), plan.dropped(), r, plan);

    Tensor out = null;
    if (plan.tokens().length > 0) {
      Tensor xs = Index.gatherRows(x, plan.tokens()); // [M', d] grouped by expert
      List<Integer> active = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      for (int e = 0; e < experts.size(); e++) {
        if (plan.count(e) > 0) {
          active.add(e);
          sizes.add((long) plan.count(e));
        }
      }
      Tensor y = routedExperts(xs, active, sizes); // [M', d]
      Tensor gates = Index.gatherRows(Shapes.reshape(r.gates(), r.gates().data().length(), 1), plan.order()); // [M', 1]
      out = Index.scatterAddRows(Elementwise.mul(y, gates), plan.tokens(), n); // [N, d]
    }
    for (SwiGlu s : shared) {
      Tensor ys = s.forward(x);
      out = out == null ? ys : Elementwise.add(out, ys);
    }
    if (out == null) {
      out = Elementwise.scale(x, 0.0);
    }
    return out;
  }

  /**
   * For before/after benchmarks: {@code false} makes this layer run one SwiGLU per expert block even
   * where the grouped routed-expert products apply ({@link GroupedExperts}); {@code true} restores
   * the default. Values are the same either way. Call before the next forward pass, not during one.
   */
  public MoeLayer groupedExperts(boolean allowed) {
    grouped = allowed ? null : Boolean.FALSE;
    return this;
  }

  /** The active experts' SwiGLU on their row blocks of xs [M', d] (sizes in row order): [M', d]. */
  private Tensor routedExperts(Tensor xs, List<Integer> active, List<Long> sizes) {
    if (grouped == null) {
      grouped = GroupedExperts.applies(precision);
    }
    if (grouped) {
      List<SwiGlu> activeExperts = new ArrayList<>(active.size());
      int[] offsets = new int[active.size() + 1];
      for (int i = 0; i < active.size(); i++) {
        activeExperts.add(experts.get(active.get(i)));
        offsets[i + 1] = offsets[i] + sizes.get(i).intValue();
      }
      return GroupedExperts.forward(xs, activeExperts, offsets, precision);
    }
    List<Tensor> blocks = active.size() == 1 ? List.of(xs)
        : Shapes.split(xs, 0, sizes.stream().mapToLong(Long::longValue).toArray());
    Tensor[] ys = new Tensor[active.size()];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = experts.get(active.get(i)).forward(blocks.get(i)); // [n_e, d]
    }
    return ys.length == 1 ? ys[0] : Shapes.concat(0, ys); // [M', d]
  }

  private void checkRouting(Routing r, int n) {
    if (r.numTokens() != n || r.numExperts() != experts.size()) {
      throw new ComponentOutputException("router", routerId, "returned routing for " + r.numTokens()
          + " tokens x " + r.numExperts() + " experts, expected " + n + " x " + experts.size());
    }
    for (int e : r.expertIndex()) {
      if (e < 0 || e >= experts.size()) {
        throw new ComponentOutputException("router", routerId, "returned expert index " + e
            + " outside [0, " + experts.size() + ")");
      }
    }
    for (int t : r.tokenIndex()) {
      if (t < 0 || t >= n) {
        throw new ComponentOutputException("router", routerId, "returned token index " + t + " outside [0, " + n + ")");
      }
    }
  }

  /** Puts back the routing of a checkpointed block's first pass after its re-run replaced it. */
  void restoreRouting(LayerRouting first) {
    last = first;
  }

  /**
   * The last routing with its gates and losses replaced by a checkpointed segment's outputs (same
   * values, alive until the step ends; losses in the routing's own order).
   */
  void adoptCheckpointed(Tensor gates, List<Tensor> losses) {
    Routing r = last.routing();
    Map<String, Tensor> kept = new LinkedHashMap<>();
    int i = 0;
    for (String name : r.losses().keySet()) {
      kept.put(name, losses.get(i++));
    }
    Routing adopted = new Routing(r.numTokens(), r.numExperts(), r.tokenIndex(), r.expertIndex(), gates, kept, r.stats());
    last = new LayerRouting(last.tokensPerExpert(), last.dropped(), adopted, last.plan());
  }

  public LayerRouting lastRouting() {
    return last;
  }

  /** The router plugin id, e.g. "softmax-topk". */
  public String routerId() {
    return routerId;
  }

  public Router router() {
    return router;
  }

  public List<SwiGlu> experts() {
    return experts;
  }

  public List<SwiGlu> sharedExperts() {
    return shared;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>(router.parameters());
    experts.forEach(e -> all.addAll(e.parameters()));
    shared.forEach(s -> all.addAll(s.parameters()));
    return all;
  }
}
