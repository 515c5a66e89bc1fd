package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW over one parameter group. Per step t (1-based), with lr' = lr * lrFactor, for each
 * parameter p with gradient g:
 *
 * <pre>
 *   p  = p * (1 - lr' * wd)             only if the group's decay predicate selects p
 *   m  = beta1 * m + (1 - beta1) * g
 *   v  = beta2 * v + (1 - beta2) * g^2
 *   p -= (lr' / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * Slots {@code m} and {@code v} (shape of p). The moments and the update are one call of libnd4j's
 * fused Adam op per parameter; its update array lives in the caller's step arena.
 */
final class AdamW extends SlotOptimizer {
  private final AdamWConfig cfg;
  private final List<INDArray> m;
  private final List<INDArray> v;

  AdamW(AdamWConfig cfg, OptimizerContext ctx) {
    super(ctx);
    this.cfg = cfg;
    this.m = slot("m", Parameter::shape);
    this.v = slot("v", Parameter::shape);
  }

  @Override
  protected void update(int i, Parameter p, double lr) {
    decay(i, p, lr, cfg.weightDecay());
    INDArray vi = v.get(i);
    INDArray mi = m.get(i);
    INDArray upd = Nd4j.createUninitialized(p.dataType(), p.shape());
    double sqrtBc2 = Math.sqrt(1 - Math.pow(cfg.beta2(), step));
    // libnd4j's fused Adam op (one pass instead of nine; the per-op call cost dominates for the many
    // small expert matrices): m and v in place, upd = lr sqrt(bc2) / bc1 * m / (sqrt(v) + eps'),
    // which with eps' = eps * sqrt(bc2) is exactly the update above. At lr = 0 libnd4j substitutes
    // eps for its step size, so the update is not applied then.
    Nd4j.exec(new AdamUpdater(p.grad(), vi, mi, upd, vi, mi, lr, cfg.beta1(), cfg.beta2(), cfg.eps() * sqrtBc2,
        (int) (step - 1)));
    if (lr > 0) {
      p.data().subi(upd);
    }
  }

  @Override
  public double learningRate() {
    return cfg.lr();
  }
}
