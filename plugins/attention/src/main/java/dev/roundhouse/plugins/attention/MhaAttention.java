package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Rope;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Causal multi-head (or grouped-query) self-attention with RoPE on q and k.
 *
 * <p>Legend: B batch, T positions, d model width, H query heads, Hk kv heads, hd = d / H. Weights are
 * [out, in]: wq [d, d], wk and wv [Hk*hd, d], wo [d, d] (residual-output init), all {@link
 * ParamRole#ATTENTION}.
 */
final class MhaAttention implements Attention {
  private final PrecisionPolicy precision;
  private final int dModel;
  private final int nHeads;
  private final int nKvHeads;
  private final int headDim;
  private final int rotaryDims;
  private final int maxSeqLen;
  private final double ropeTheta;
  private final Parameter wq;
  private final Parameter wk;
  private final Parameter wv;
  private final Parameter wo;
  private Rope.Cache rope;

  MhaAttention(MhaConfig config, AttentionContext ctx) {
    this.precision = ctx.precision();
    this.dModel = ctx.dModel();
    this.nHeads = ctx.nHeads();
    this.nKvHeads = config.kvHeads(nHeads);
    this.headDim = ctx.headDim();
    this.rotaryDims = config.rotaryDims(headDim);
    this.maxSeqLen = ctx.seqLen();
    this.ropeTheta = ctx.ropeTheta();
    long kvDim = (long) nKvHeads * headDim;
    this.wq = ctx.params().normal("wq", ParamRole.ATTENTION, dModel, dModel);
    this.wk = ctx.params().normal("wk", ParamRole.ATTENTION, kvDim, dModel);
    this.wv = ctx.params().normal("wv", ParamRole.ATTENTION, kvDim, dModel);
    this.wo = ctx.params().residualOutput("wo", ParamRole.ATTENTION, dModel, dModel);
    this.rope = Rope.cache(maxSeqLen, headDim, rotaryDims, ropeTheta, wq.dataType());
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(wq, wk, wv, wo);
  }

  /** x: [B, T, d] -> [B, T, d]. */
  @Override
  public Tensor forward(Tensor x) {
    if (x.rank() != 3 || x.size(2) != dModel) {
      throw new IllegalArgumentException("mha: input must be [B, T, " + dModel + "], got " + Arrays.toString(x.shape()));
    }
    long b = x.size(0);
    long t = x.size(1);
    if (t > maxSeqLen) {
      throw new IllegalArgumentException("mha: sequence length " + t + " exceeds the configured seqLen " + maxSeqLen);
    }
    Tensor xa = precision.activation(x, ParamRole.ATTENTION);
    Tensor q = heads(MatOps.linearT(xa, precision.weight(wq)), nHeads); // [B, H, T, hd] (strided view)
    Tensor k = heads(MatOps.linearT(xa, precision.weight(wk)), nKvHeads); // [B, Hk, T, hd]
    Tensor v = heads(MatOps.linearT(xa, precision.weight(wv)), nKvHeads); // [B, Hk, T, hd]
    if (rotaryDims > 0) {
      Rope.Cache c = ropeFor(q.dataType());
      q = Rope.apply(q, c); // contiguous
      k = Rope.apply(k, c);
    }
    // the fused op copies strided inputs to row-major before its batched gemms
    Tensor o = AttentionOps.causalAttention(q, k, v, 1.0 / Math.sqrt(headDim), 0, null); // [B, H, T, hd]
    Tensor merged = Shapes.reshape(Shapes.permute(o, 0, 2, 1, 3), b, t, dModel); // [B, T, d] (a copy)
    return MatOps.linearT(precision.activation(merged, ParamRole.ATTENTION), precision.weight(wo));
  }

  /** y: [B, T, n*hd] -> [B, n, T, hd]. */
  private Tensor heads(Tensor y, int n) {
    return Shapes.permute(Shapes.reshape(y, y.size(0), y.size(1), n, headDim), 0, 2, 1, 3);
  }

  private Rope.Cache ropeFor(DataType dtype) {
    if (rope.cos().dataType() != dtype) {
      // Long-lived: built outside any per-step workspace.
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        rope = Rope.cache(maxSeqLen, headDim, rotaryDims, ropeTheta, dtype);
      }
    }
    return rope;
  }

  /** Keys and values: 2 * Hk * hd elements per token. */
  @Override
  public long kvCachePerToken() {
    return 2L * nKvHeads * headDim;
  }

  /**
   * Projections 2 * d * (2d + 2 * Hk * hd), plus q k^T and P v at 2 * H * hd * T each: the full T x T
   * square that is computed (the masked half included).
   */
  @Override
  public long flopsPerToken(int seqLen) {
    long projections = 2L * dModel * (2L * dModel + 2L * nKvHeads * headDim);
    long attention = 4L * nHeads * headDim * seqLen;
    return projections + attention;
  }
}
