package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.ParamRole;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.Select;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Softmax;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax top-k router for one MoE layer. Legend: N tokens, d model width, E experts, k experts per
 * token, M = N * k assignments in row-major order (m = n * k + j is token n's j-th best expert).
 *
 * <p>Math runs in fp32 (DOUBLE stays DOUBLE, for gradient checks). Losses per micro-batch:
 * {@code aux = coef * E * sum_i f_i * P_i} with f_i the fraction of the M assignments that go to
 * expert i (a constant) and P_i the mean router probability of expert i; {@code z = coef *
 * mean_n(logsumexp(logits_n)^2)}. A loss is present only when its coefficient is > 0. No state.
 */
final class SoftmaxTopKRouter implements Router {
  private final SoftmaxTopKConfig config;
  private final int numExperts;
  private final int topK;
  private final long dModel;
  private final Parameter weight; // [E, d]

  SoftmaxTopKRouter(SoftmaxTopKConfig config, RouterContext ctx) {
    this.config = config;
    this.numExperts = ctx.numExperts();
    this.topK = ctx.topK();
    this.dModel = ctx.dModel();
    this.weight = ctx.params().normal("weight", ParamRole.ROUTER, numExperts, dModel);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  @Override
  public Routing route(Tensor x, int seqLen) {
    if (x.rank() != 2 || x.size(1) != dModel) {
      throw new IllegalArgumentException("softmax-topk router expects x [N, " + dModel + "], got "
          + Arrays.toString(x.shape()));
    }
    int n = (int) x.size(0);
    Tensor logits = MatOps.linearT(toFp32(x), toFp32(weight)); // [N, E]
    Tensor probs = Softmax.softmax(logits, 1); // [N, E]
    Select.TopK top = Select.topK(probs, topK); // values [N, k] descending
    Tensor gates = top.values();
    if (config.normalizeTopK()) {
      gates = Elementwise.div(gates, Reductions.sum(gates, true, 1));
    }
    long[] experts = top.indices().reshape(n * (long) topK).toLongVector();
    int[] tokenIndex = new int[experts.length];
    int[] expertIndex = new int[experts.length];
    double[] counts = new double[numExperts];
    for (int m = 0; m < experts.length; m++) {
      tokenIndex[m] = m / topK;
      expertIndex[m] = (int) experts[m];
      counts[expertIndex[m]]++;
    }
    Map<String, Tensor> losses = new LinkedHashMap<>();
    if (config.auxLossCoef() > 0) {
      losses.put("aux", auxLoss(probs, counts, experts.length));
    }
    if (config.zLossCoef() > 0) {
      Tensor lse = Reductions.logSumExp(logits, 1, false); // [N]
      losses.put("z", Elementwise.scale(Reductions.meanAll(Pointwise.square(lse)), config.zLossCoef()));
    }
    return new Routing(n, numExperts, tokenIndex, expertIndex, Shapes.reshape(gates, n * (long) topK),
        losses, Map.of());
  }

  /** coef * E * sum_i f_i * P_i; f = counts / M is constant, P = mean over tokens of probs. */
  private Tensor auxLoss(Tensor probs, double[] counts, int assignments) {
    double scale = config.auxLossCoef() * numExperts / assignments;
    for (int i = 0; i < counts.length; i++) {
      counts[i] *= scale;
    }
    Tensor meanProb = Reductions.mean(probs, false, 0); // [E]
    INDArray f = Nd4j.createFromArray(counts).castTo(probs.dataType());
    return Reductions.sumAll(Elementwise.mul(meanProb, Tensor.constant(f)));
  }

  /** The tensor in FLOAT (DOUBLE is kept); the cast passes gradients back in the input's dtype. */
  private static Tensor toFp32(Tensor t) {
    DataType dt = t.dataType();
    if (dt == DataType.FLOAT || dt == DataType.DOUBLE) {
      return t;
    }
    return Tensor.result(t.data().castTo(DataType.FLOAT), g -> t.addGradOwned(g.castTo(dt)), t);
  }
}
