package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.Parameter;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Muon (MomentUm Orthogonalized by Newton-Schulz) with the Moonlight RMS matching, for [m, n]
 * matrices: b = mu*b + g; u = g + mu*b (Nesterov) or b; O = NS5(u); p *= 1 - lr*wd (selected);
 * p -= lr * rmsMatch * sqrt(max(m, n)) * O. An orthogonal O has RMS 1/sqrt(max(m, n)), so the
 * update's RMS is about rmsMatch, like AdamW's. Slot {@code b}.
 */
final class Muon extends SlotOptimizer {
  private final MuonConfig cfg;
  private final List<INDArray> buf;

  Muon(MuonConfig cfg, OptimizerContext ctx) {
    super(ctx);
    for (Parameter p : ctx.params()) {
      if (p.rank() != 2) {
        throw new IllegalArgumentException("group '" + ctx.group() + "': muon updates 2-D matrices only, parameter '"
            + p.name() + "' has shape " + Arrays.toString(p.shape()) + "; route it to another optimizer with an"
            + " optimizerGroups entry, e.g. {\"name\": \"vectors\", \"select\": {\"rank\": 1}, \"optimizer\":"
            + " {\"type\": \"adamw\"}}");
      }
    }
    this.cfg = cfg;
    this.buf = slot("b", Parameter::shape);
  }

  @Override
  protected void update(int i, Parameter p, double lr) {
    INDArray b = buf.get(i);
    b.muli(cfg.momentum()).addi(p.grad());
    INDArray u = cfg.nesterov() ? p.grad().add(b.mul(cfg.momentum())) : b;
    INDArray o = NewtonSchulz.orthogonalize(u, cfg.nsSteps());
    double scale = cfg.rmsMatch() * Math.sqrt(Math.max(p.size(0), p.size(1)));
    decay(i, p, lr, cfg.weightDecay());
    p.data().subi(o.muli(lr * scale));
  }

  @Override
  public double learningRate() {
    return cfg.lr();
  }
}
