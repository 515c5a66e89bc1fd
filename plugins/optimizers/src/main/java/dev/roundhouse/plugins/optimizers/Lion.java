package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Lion (Chen et al. 2023): c = beta1*m + (1-beta1)*g; p *= 1 - lr*wd (selected); p -= lr *
 * sign(c); m = beta2*m + (1-beta2)*g. Slot {@code m}.
 */
final class Lion extends SlotOptimizer {
  private final LionConfig cfg;
  private final List<INDArray> m;

  Lion(LionConfig cfg, OptimizerContext ctx) {
    super(ctx);
    this.cfg = cfg;
    this.m = slot("m", Parameter::shape);
  }

  @Override
  protected void update(int i, Parameter p, double lr) {
    INDArray g = p.grad();
    INDArray mi = m.get(i);
    INDArray c = mi.mul(cfg.beta1()).addi(g.mul(1 - cfg.beta1()));
    decay(i, p, lr, cfg.weightDecay());
    p.data().subi(Transforms.sign(c, false).muli(lr));
    mi.muli(cfg.beta2()).addi(g.mul(1 - cfg.beta2()));
  }

  @Override
  public double learningRate() {
    return cfg.lr();
  }
}
