package com.example.roundhouse.myattention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.List;

/**
 * Single-head causal attention over the full model width d (a template: nHeads is ignored). Legend: B
 * sequences, T positions, d width.
 *
 * <pre>
 * q, k, v = x Wq^T, x Wk^T, x Wv^T                 [B, T, d]   W* [d, d]
 * o       = softmax(q k^T * scale + causal mask) v   [B, T, d]   (AttentionOps.causalAttention, H = 1)
 * y       = o Wo^T                                  [B, T, d]   Wo scaled for the residual stream
 * </pre>
 *
 * <p>Weights go through the run's precision policy. Thread-safety: one instance per layer and shard, used
 * by one thread at a time; no static state.
 */
final class MyAttention implements Attention {
  private final long d;
  private final double scale;
  private final PrecisionPolicy precision;
  private final Parameter wq;
  private final Parameter wk;
  private final Parameter wv;
  private final Parameter wo;

  MyAttention(MyAttentionConfig config, AttentionContext ctx) {
    this.d = ctx.dModel();
    this.scale = config.scale() == null ? 1.0 / Math.sqrt(d) : config.scale();
    this.precision = ctx.precision();
    this.wq = ctx.params().normal("wq", ParamRole.ATTENTION, d, d);
    this.wk = ctx.params().normal("wk", ParamRole.ATTENTION, d, d);
    this.wv = ctx.params().normal("wv", ParamRole.ATTENTION, d, d);
    this.wo = ctx.params().residualOutput("wo", ParamRole.ATTENTION, d, d);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(wq, wk, wv, wo);
  }

  @Override
  public Tensor forward(Tensor x) {
    long b = x.size(0);
    long t = x.size(1);
    Tensor xa = precision.activation(x, ParamRole.ATTENTION);
    Tensor q = Shapes.reshape(MatOps.linearT(xa, precision.weight(wq)), b, 1, t, d); // [B, 1, T, d]
    Tensor k = Shapes.reshape(MatOps.linearT(xa, precision.weight(wk)), b, 1, t, d);
    Tensor v = Shapes.reshape(MatOps.linearT(xa, precision.weight(wv)), b, 1, t, d);
    Tensor o = Shapes.reshape(AttentionOps.causalAttention(q, k, v, scale, 0, null), b, t, d); // [B, T, d]
    return MatOps.linearT(precision.activation(o, ParamRole.ATTENTION), precision.weight(wo));
  }

  @Override
  public long kvCachePerToken() {
    return 2 * d;
  }

  @Override
  public long flopsPerToken(int seqLen) {
    return 2 * 4 * d * d + 2 * 2 * (long) seqLen * d; // projections + scores and weighted sum
  }
}
