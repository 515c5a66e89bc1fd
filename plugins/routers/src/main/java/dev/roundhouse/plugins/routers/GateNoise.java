package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Recompute;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded training-time gating noise: multiplicative input jitter x * U(1 - eps, 1 + eps) (Switch
 * Transformer) and additive logit noise logits + N(0, std^2) (noisy top-k gating with a fixed std).
 * Noise is drawn only in training forward passes (outside {@link NoGrad}); evaluation is noise-free.
 *
 * <p>Each draw's seed depends on (router seed, optimizer steps so far, micro-batch within the step,
 * kind), never on the global ND4J RNG, so a resumed run draws the same noise as an uninterrupted one:
 * the step counter is router state ("noise_step"). Seeds go through {@link Recompute#seed}, so a
 * checkpointed block re-run in backward draws the same noise, and the re-run does not advance the
 * micro-batch counter.
 */
final class GateNoise {
  static final String STATE_KEY = "noise_step";

  private final double jitterEps;
  private final double noiseStd;
  private final long seed;
  private long step;
  private int micro;
  private boolean pinned;

  GateNoise(double jitterEps, double noiseStd, long seed) {
    this.jitterEps = jitterEps;
    this.noiseStd = noiseStd;
    this.seed = seed;
  }

  boolean enabled() {
    return jitterEps > 0 || noiseStd > 0;
  }

  /** Test hook: noise on even inside NoGrad, and the same draw for every call (for gradient checks). */
  void pin() {
    pinned = true;
  }

  private boolean on() {
    return enabled() && (pinned || !NoGrad.active());
  }

  /** x: [N, d] -> x * U(1 - eps, 1 + eps) elementwise in training, else x. */
  Tensor jitter(Tensor x) {
    if (!on() || jitterEps == 0) {
      return x;
    }
    INDArray u = Nd4j.createUninitialized(x.dataType(), x.shape());
    draw(new UniformDistribution(u, 1 - jitterEps, 1 + jitterEps), 1);
    return Elementwise.mul(x, Tensor.constant(u));
  }

  /** logits: [N, E] -> logits + N(0, std^2) in training, else logits; advances the micro-batch. */
  Tensor noise(Tensor logits) {
    if (!on()) {
      return logits;
    }
    Tensor out = logits;
    if (noiseStd > 0) {
      INDArray z = Nd4j.createUninitialized(logits.dataType(), logits.shape());
      draw(new GaussianDistribution(z, 0.0, noiseStd), 2);
      out = Elementwise.add(logits, Tensor.constant(z));
    }
    if (!pinned && !Recompute.active()) { // a checkpoint's re-run repeats this micro-batch's draw
      micro++;
    }
    return out;
  }

  private void draw(org.nd4j.linalg.api.ops.RandomOp op, int kind) {
    long s = Recompute.seed(seed * 0x9E3779B97F4A7C15L + step * 1_000_003L + micro * 7919L + kind);
    try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(s)) {
      Nd4j.getExecutioner().exec(op, rng);
    } catch (Exception e) {
      throw new IllegalStateException("router noise RNG failed", e);
    }
  }

  void afterOptimizerStep() {
    step++;
    micro = 0;
  }

  Map<String, INDArray> state() {
    if (!enabled()) {
      return Map.of();
    }
    long s = step;
    return Map.of(STATE_KEY, StepArena.outside(() -> Nd4j.createFromArray(new long[] {s})));
  }

  void loadState(String router, Map<String, INDArray> state) {
    if (!enabled()) {
      return;
    }
    INDArray s = state.get(STATE_KEY);
    if (s == null) {
      throw new IllegalStateException(router + ": checkpoint has no router state '" + STATE_KEY + "'");
    }
    step = s.getLong(0);
    micro = 0;
  }
}
