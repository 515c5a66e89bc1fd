package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SGD with momentum: p *= 1 - lr*wd (decoupled, selected parameters); b = mu*b + g; d = g + mu*b
 * (Nesterov) or b; p -= lr * d. Without momentum: p -= lr * g. Slot {@code b} (shape of p).
 */
final class Sgd extends SlotOptimizer {
  private final SgdConfig cfg;
  private final List<INDArray> buf;

  Sgd(SgdConfig cfg, OptimizerContext ctx) {
    super(ctx);
    this.cfg = cfg;
    this.buf = cfg.momentum() > 0 ? slot("b", Parameter::shape) : null;
  }

  @Override
  protected void update(int i, Parameter p, double lr) {
    decay(i, p, lr, cfg.weightDecay());
    if (buf == null) {
      p.data().subi(p.grad().mul(lr));
      return;
    }
    INDArray b = buf.get(i);
    b.muli(cfg.momentum()).addi(p.grad());
    INDArray d = cfg.nesterov() ? p.grad().add(b.mul(cfg.momentum())) : b;
    p.data().subi(d.mul(lr));
  }

  @Override
  public double learningRate() {
    return cfg.lr();
  }
}
