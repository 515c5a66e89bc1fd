package dev.roundhouse.host.model;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A test router with a fixed assignment: token n's j-th assignment goes to {@code experts[n * k + j]}
 * with a constant gate. Lets a test choose a skewed load exactly.
 */
final class FixedRouter implements Router {
  private final int numExperts;
  private final int k;
  private final int[] experts;
  private final double gate;

  FixedRouter(int numExperts, int k, int[] experts, double gate) {
    this.numExperts = numExperts;
    this.k = k;
    this.experts = experts.clone();
    this.gate = gate;
  }

  @Override
  public Routing route(Tensor x, int seqLen) {
    int n = (int) x.size(0);
    if (n * k != experts.length) {
      throw new IllegalArgumentException("FixedRouter built for " + experts.length / k + " tokens, got " + n);
    }
    int[] tokens = new int[experts.length];
    for (int m = 0; m < tokens.length; m++) {
      tokens[m] = m / k;
    }
    Tensor gates = Tensor.constant(Nd4j.valueArrayOf(new long[] {experts.length}, gate, x.dataType()));
    return new Routing(n, numExperts, tokens, experts.clone(), gates, Map.of(), Map.of());
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }
}
