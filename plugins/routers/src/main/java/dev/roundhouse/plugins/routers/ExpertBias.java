package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.StepArena;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Aux-loss-free load balancing (DeepSeek-V3): a per-expert bias [E] added to the scores only to
 * choose experts. After each optimizer step, with load_i the tokens expert i received since the
 * previous step and s_i = sign(load_i - mean(load)):
 * {@code bias_i -= rate * (s_i - mean(s))}, then {@code bias_i} is clamped to [-clamp, clamp] when a
 * clamp is set. Centering keeps sum(bias) at 0 without a clamp. A step with no tokens changes
 * nothing.
 *
 * <p>The bias lives outside every workspace, is never a parameter (no optimizer, no weight decay)
 * and is router state ("expert_bias") saved in checkpoints.
 */
final class ExpertBias {
  static final String STATE_KEY = "expert_bias";

  private final double rate;
  private final Double clamp;
  private final INDArray bias; // [E]

  ExpertBias(int numExperts, double rate, Double clamp, DataType dtype) {
    this.rate = rate;
    this.clamp = clamp;
    this.bias = StepArena.outside(() -> Nd4j.zeros(dtype, numExperts));
  }

  INDArray values() {
    return bias;
  }

  void update(long[] load) {
    int e = (int) bias.length();
    if (load.length != e) {
      throw new IllegalArgumentException("tokensPerExpert has " + load.length + " entries, expected " + e);
    }
    double total = Arrays.stream(load).sum();
    if (total == 0 || rate == 0) {
      return;
    }
    double mean = total / e;
    double[] sign = new double[e];
    double meanSign = 0;
    for (int i = 0; i < e; i++) {
      sign[i] = Math.signum(load[i] - mean);
      meanSign += sign[i] / e;
    }
    for (int i = 0; i < e; i++) {
      double b = bias.getDouble(i) - rate * (sign[i] - meanSign);
      if (clamp != null) {
        b = Math.max(-clamp, Math.min(clamp, b));
      }
      bias.putScalar(i, b);
    }
  }

  Map<String, INDArray> state() {
    return Map.of(STATE_KEY, bias);
  }

  void loadState(String router, Map<String, INDArray> state) {
    INDArray saved = state.get(STATE_KEY);
    if (saved == null) {
      throw new IllegalStateException(router + ": checkpoint has no router state '" + STATE_KEY + "'");
    }
    if (saved.length() != bias.length()) {
      throw new IllegalStateException(router + ": checkpoint '" + STATE_KEY + "' has " + saved.length()
          + " entries, the router has " + bias.length() + " experts");
    }
    bias.assign(saved.reshape(bias.length()).castTo(bias.dataType()));
  }
}
