package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Softmax;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Softmax top-k router for one MoE layer. Legend: N tokens, d model width, E experts, k experts per
 * token, M = N * k assignments in row-major order (m = n * k + j is token n's j-th best expert).
 *
 * <p>Training forward: x (jittered) -> logits [N, E] (+ noise) -> softmax probs -> top-k experts of
 * the probs (inside the kept groups when group-limited) -> gates = the chosen probs (optionally
 * renormalised over the k). Math in fp32 (DOUBLE stays DOUBLE). Balance losses: {@link
 * BalanceLosses} on the probs. State: the noise step counter when noise is on.
 */
final class SoftmaxTopKRouter implements Router {
  private final SoftmaxTopKConfig config;
  private final int numExperts;
  private final int topK;
  private final long dModel;
  private final Parameter weight; // [E, d]
  private final BalanceLosses balance;
  private final GroupLimit groups;
  private final GateNoise noise;

  SoftmaxTopKRouter(SoftmaxTopKConfig config, RouterContext ctx) {
    this.config = config;
    this.numExperts = ctx.numExperts();
    this.topK = ctx.topK();
    this.dModel = ctx.dModel();
    this.groups = new GroupLimit(SoftmaxTopKRouterProvider.ID, numExperts, topK, config.groups(), config.topGroups());
    this.balance = new BalanceLosses(config.auxLossCoef(),
        BalanceLosses.Scope.of(SoftmaxTopKRouterProvider.ID, config.auxLossScope()), config.zLossCoef(), numExperts);
    this.noise = new GateNoise(config.jitterEps(), config.noiseStd(), ctx.seed());
    this.weight = ctx.params().normal("weight", ParamRole.ROUTER, numExperts, dModel);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  @Override
  public Routing route(Tensor x, int seqLen) {
    RouterMath.checkInput(SoftmaxTopKRouterProvider.ID, x, dModel);
    int n = (int) x.size(0);
    Tensor logits = noise.noise(RouterMath.logits(noise.jitter(RouterMath.toFp32(x)), weight)); // [N, E]
    Tensor probs = Softmax.softmax(logits, 1); // [N, E]
    INDArray selection = groups.apply(probs.data());
    int[] experts = RouterMath.topKExperts(selection, topK); // [M]
    Tensor gates = RouterMath.gatherChosen(probs, experts, topK); // [N, k]
    if (config.normalizeTopK()) {
      gates = RouterMath.normalizeRows(gates);
    }
    int[] tokens = RouterMath.tokenOfAssignment(experts.length, topK);
    Map<String, Tensor> losses = balance.compute(probs, logits, tokens, experts, seqLen);
    Map<String, Double> stats = Map.of("logits_nonfinite", RouterMath.nonFinite(logits.data()));
    return new Routing(n, numExperts, tokens, experts, Shapes.reshape(gates, n * (long) topK), losses, stats);
  }

  @Override
  public void afterOptimizerStep(long[] tokensPerExpert) {
    balance.afterOptimizerStep();
    noise.afterOptimizerStep();
  }

  @Override
  public Map<String, INDArray> state() {
    return noise.state();
  }

  @Override
  public void loadState(Map<String, INDArray> state) {
    noise.loadState(SoftmaxTopKRouterProvider.ID, state);
  }

  /** For tests: noise on inside NoGrad with a fixed draw (gradient checks of noisy gating). */
  void pinNoise() {
    noise.pin();
  }
}
