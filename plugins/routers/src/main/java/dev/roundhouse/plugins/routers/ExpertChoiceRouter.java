package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Select;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Softmax;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Expert-choice router (Zhou et al. 2022) for one MoE layer. Legend: N tokens, d width, E experts,
 * C tokens per expert, M = E * C assignments, expert-major (m = e * C + j is expert e's j-th best
 * token).
 *
 * <p>probs = softmax over experts of x W^T [N, E]; each expert takes its C tokens with the highest
 * probability; gate = that probability. Every expert gets exactly C tokens, so the load is balanced
 * by construction (no aux loss); a token may get 0..E experts. Stats: "tokens_unrouted" (tokens no
 * expert took). Note: the choice looks at every token of the micro-batch, future positions included,
 * so for causal language modelling it leaks information across positions (known limitation of the
 * method). Stateless.
 */
final class ExpertChoiceRouter implements Router {
  private final ExpertChoiceConfig config;
  private final int numExperts;
  private final int topK;
  private final long dModel;
  private final Parameter weight; // [E, d]
  private final BalanceLosses balance;

  ExpertChoiceRouter(ExpertChoiceConfig config, RouterContext ctx) {
    this.config = config;
    this.numExperts = ctx.numExperts();
    this.topK = ctx.topK();
    this.dModel = ctx.dModel();
    this.balance = new BalanceLosses(0, BalanceLosses.Scope.BATCH, config.zLossCoef(), numExperts);
    this.weight = ctx.params().normal("weight", ParamRole.ROUTER, numExperts, dModel);
  }

  /** C = min(N, max(1, ceil(N * k / E * capacityFactor))). */
  int capacity(int tokens) {
    long c = (long) Math.ceil((double) tokens * topK / numExperts * config.capacityFactor());
    return (int) Math.min(tokens, Math.max(1, c));
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  @Override
  public Routing route(Tensor x, int seqLen) {
    RouterMath.checkInput(ExpertChoiceRouterProvider.ID, x, dModel);
    int n = (int) x.size(0);
    int c = capacity(n);
    Tensor logits = RouterMath.logits(x, weight); // [N, E]
    Tensor probs = Softmax.softmax(logits, 1); // [N, E]
    Tensor perExpert = Shapes.contiguous(Shapes.transpose(probs, 0, 1)); // [E, N]
    Select.TopK top = Select.topK(perExpert, c); // values [E, C], indices [E, C]
    long[] chosen = top.indices().reshape((long) numExperts * c).toLongVector();
    int[] tokens = new int[chosen.length];
    int[] experts = new int[chosen.length];
    boolean[] routed = new boolean[n];
    int routedCount = 0;
    for (int m = 0; m < chosen.length; m++) {
      tokens[m] = (int) chosen[m];
      experts[m] = m / c;
      if (!routed[tokens[m]]) {
        routed[tokens[m]] = true;
        routedCount++;
      }
    }
    Map<String, Tensor> losses = balance.compute(null, logits, tokens, experts, seqLen);
    Map<String, Double> stats = Map.of("tokens_unrouted", (double) (n - routedCount),
        "logits_nonfinite", RouterMath.nonFinite(logits.data()));
    return new Routing(n, numExperts, tokens, experts, Shapes.reshape(top.values(), (long) numExperts * c),
        losses, stats);
  }
}
