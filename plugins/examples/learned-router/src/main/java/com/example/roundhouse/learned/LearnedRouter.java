package com.example.roundhouse.learned;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.F;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Select;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A learned top-k router (Mixtral-style). Legend: N tokens, d model width, E experts, k experts per token,
 * M = N * k assignments, m = n * k + j is token n's j-th best expert.
 *
 * <pre>
 * logits = x W^T / temperature          [N, E]   W [E, d] is this router's one parameter
 * top    = topk(logits, k)              [N, k]   values (differentiable) and indices (not)
 * gates  = softmax(top.values, axis 1)  [N, k]   -> [M], differentiable in W and x
 * </pre>
 *
 * <p>The gradient reaches W through the chosen logits only, as in PyTorch's {@code torch.topk}. No
 * balance loss: add one to {@code losses} (see the built-in softmax-topk router) if experts collapse.
 * Thread-safety: one instance per layer and shard, used by one thread at a time; W is shared with the
 * shard replicas by the host (the factory returns the same values), so nothing here is static.
 */
final class LearnedRouter implements Router {
  private final int numExperts;
  private final int topK;
  private final double temperature;
  private final Parameter weight; // [E, d]

  LearnedRouter(LearnedRouterConfig config, RouterContext ctx) {
    this.numExperts = ctx.numExperts();
    this.topK = ctx.topK();
    this.temperature = config.temperature();
    this.weight = ctx.params().normalWithStd("weight", ParamRole.ROUTER, config.initStd(), numExperts, ctx.dModel());
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  @Override
  public Routing route(Tensor x, int seqLen) {
    int n = (int) x.size(0);
    Tensor logits = F.scale(F.linear(x, weight), 1.0 / temperature); // [N, E]
    Select.TopK top = F.topK(logits, topK); // values [N, k] descending, indices [N, k]
    Tensor gates = F.softmax(top.values(), 1); // [N, k]
    long[] chosen = top.indices().reshape((long) n * topK).toLongVector(); // [M], row-major
    int[] experts = new int[chosen.length];
    int[] tokens = new int[chosen.length];
    for (int m = 0; m < chosen.length; m++) { // integer bookkeeping, not tensor math
      experts[m] = (int) chosen[m];
      tokens[m] = m / topK;
    }
    return new Routing(n, numExperts, tokens, experts, F.reshape(gates, (long) n * topK), Map.of(), Map.of());
  }
}
