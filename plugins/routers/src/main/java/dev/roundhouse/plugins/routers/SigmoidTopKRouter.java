package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DeepSeek-V3 style router for one MoE layer. Legend: N tokens, d width, E experts, k per token, M =
 * N * k row-major assignments.
 *
 * <p>scores s = sigmoid(x W^T) [N, E]; experts = top-k of s + bias (bias only selects, it never
 * enters the gates or the gradient; group-limited when configured); gates = s of the chosen
 * experts, divided by their sum when normalizeTopK, times routeScale. Aux losses use s / rowsum(s).
 * State: the expert bias ({@link ExpertBias}), updated in {@link #afterOptimizerStep}.
 */
final class SigmoidTopKRouter implements Router {
  private final SigmoidTopKConfig config;
  private final int numExperts;
  private final int topK;
  private final long dModel;
  private final Parameter weight; // [E, d]
  private final BalanceLosses balance;
  private final GroupLimit groups;
  private final ExpertBias bias;

  SigmoidTopKRouter(SigmoidTopKConfig config, RouterContext ctx) {
    this.config = config;
    this.numExperts = ctx.numExperts();
    this.topK = ctx.topK();
    this.dModel = ctx.dModel();
    this.groups = new GroupLimit(SigmoidTopKRouterProvider.ID, numExperts, topK, config.groups(), config.topGroups());
    this.balance = new BalanceLosses(config.auxLossCoef(),
        BalanceLosses.Scope.of(SigmoidTopKRouterProvider.ID, config.auxLossScope()), config.zLossCoef(), numExperts);
    this.weight = ctx.params().normal("weight", ParamRole.ROUTER, numExperts, dModel);
    DataType dt = weight.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    this.bias = new ExpertBias(numExperts, config.biasUpdateRate(), config.biasClamp(), dt);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  @Override
  public Routing route(Tensor x, int seqLen) {
    RouterMath.checkInput(SigmoidTopKRouterProvider.ID, x, dModel);
    int n = (int) x.size(0);
    Tensor logits = RouterMath.logits(x, weight); // [N, E]
    Tensor scores = Pointwise.sigmoid(logits); // [N, E]
    INDArray selection = groups.apply(scores.data().addRowVector(bias.values().castTo(scores.dataType())));
    int[] experts = RouterMath.topKExperts(selection, topK); // [M]
    Tensor gates = RouterMath.gatherChosen(scores, experts, topK); // [N, k]
    if (config.normalizeTopK()) {
      gates = RouterMath.normalizeRows(gates);
    }
    if (config.routeScale() != 1.0) {
      gates = Elementwise.scale(gates, config.routeScale());
    }
    int[] tokens = RouterMath.tokenOfAssignment(experts.length, topK);
    Tensor normalized = balance.needsScores() ? RouterMath.normalizeRows(scores) : null; // [N, E]
    Map<String, Tensor> losses = balance.compute(normalized, logits, tokens, experts, seqLen);
    Map<String, Double> stats = Map.of("logits_nonfinite", RouterMath.nonFinite(logits.data()));
    return new Routing(n, numExperts, tokens, experts, Shapes.reshape(gates, n * (long) topK), losses, stats);
  }

  @Override
  public void afterOptimizerStep(long[] tokensPerExpert) {
    bias.update(tokensPerExpert);
    balance.afterOptimizerStep();
  }

  @Override
  public INDArray expertBias() {
    return bias.values();
  }

  @Override
  public Map<String, INDArray> state() {
    return bias.state();
  }

  @Override
  public void loadState(Map<String, INDArray> state) {
    bias.loadState(SigmoidTopKRouterProvider.ID, state);
  }
}
