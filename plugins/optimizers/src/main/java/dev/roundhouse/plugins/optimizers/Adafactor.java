package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adafactor (Shazeer and Stern 2018) with a factored second moment for [m, n] matrices. Per step t,
 * beta2 = 1 - t^decayRate, G2 = g^2 + eps:
 *
 * <pre>
 *   matrices: r = beta2 r + (1-beta2) rowmean(G2)   [m]
 *             c = beta2 c + (1-beta2) colmean(G2)   [n]
 *             U = g / sqrt(r c^T / mean(r))
 *   others:   v = beta2 v + (1-beta2) G2;  U = g / sqrt(v)
 *   U /= max(1, RMS(U) / clipThreshold);  if beta1 > 0: m = beta1 m + (1-beta1) U; U = m
 *   p *= 1 - lr*wd (selected);  p -= lr * U
 * </pre>
 * Slots: {@code r} [m, 1] and {@code c} [1, n] for matrices, {@code v} otherwise, {@code m} when beta1 > 0.
 */
final class Adafactor extends SlotOptimizer {
  private final AdafactorConfig cfg;
  private final List<INDArray> r;
  private final List<INDArray> c;
  private final List<INDArray> v;
  private final List<INDArray> m;

  Adafactor(AdafactorConfig cfg, OptimizerContext ctx) {
    super(ctx);
    this.cfg = cfg;
    this.r = slot("r", p -> p.rank() == 2 ? new long[] {p.size(0), 1} : null);
    this.c = slot("c", p -> p.rank() == 2 ? new long[] {1, p.size(1)} : null);
    this.v = slot("v", p -> p.rank() == 2 ? null : p.shape());
    this.m = cfg.beta1() > 0 ? slot("m", Parameter::shape) : null;
  }

  @Override
  protected void update(int i, Parameter p, double lr) {
    double beta2 = 1 - Math.pow(step, cfg.decayRate());
    INDArray g = p.grad();
    INDArray g2 = g.mul(g).addi(cfg.eps());
    INDArray u;
    if (p.rank() == 2) {
      INDArray ri = r.get(i);
      INDArray ci = c.get(i);
      ri.muli(beta2).addi(g2.mean(true, 1).muli(1 - beta2)); // [m, 1]
      ci.muli(beta2).addi(g2.mean(true, 0).muli(1 - beta2)); // [1, n]
      double rMean = ri.meanNumber().doubleValue();
      INDArray vHat = MatOps.gemm(ri, ci, false, false).divi(rMean); // outer product r c^T / mean(r): [m, n]
      u = g.div(Transforms.sqrt(vHat, false));
    } else {
      INDArray vi = v.get(i);
      vi.muli(beta2).addi(g2.muli(1 - beta2));
      u = g.div(Transforms.sqrt(vi, true));
    }
    double rms = u.norm2Number().doubleValue() / Math.sqrt(u.length());
    u.divi(Math.max(1.0, rms / cfg.clipThreshold()));
    if (m != null) {
      u = m.get(i).muli(cfg.beta1()).addi(u.muli(1 - cfg.beta1()));
    }
    decay(i, p, lr, cfg.weightDecay());
    p.data().subi(u.mul(lr));
  }

  @Override
  public double learningRate() {
    return cfg.lr();
  }
}
