package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.DocumentIds;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.plugins.attention.kernels.MaskedAttention;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Norms;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head latent attention (DeepSeek-V2/V3), trained in the decompressed form.
 *
 * <p>Legend: B batch, T positions, d width, H heads, r_q = qLoraRank, r = kvLoraRank, dn = nopeDim,
 * dr = ropeDim, dv = vDim. Weights [out, in]:
 * <pre>
 *   q:  x -> wdq [r_q, d] -> RMSNorm(q_norm) -> wuq [H(dn+dr), r_q]   (or wq [H(dn+dr), d] when r_q = 0)
 *   kv: x -> wdkv [r + dr, d] -> split: c [r] -> RMSNorm(kv_norm); k_rope [dr] (one, shared by heads)
 *       k_nope = c wuk^T [H dn], v = c wuv^T [H dv]
 *   q = [q_nope, RoPE(q_rope)], k = [k_nope, RoPE(k_rope) for every head], scale 1 / sqrt(dn + dr)
 *   out = merge(softmax(q k^T) v) wo^T, wo [d, H dv]
 * </pre>
 * Only c [r] and RoPE(k_rope) [dr] need caching per token: r + dr elements, vs 2 H hd for MHA.
 */
final class MlaAttention implements Attention {
  private static final double NORM_EPS = 1e-6;
  private final PrecisionPolicy precision;
  private final int dModel;
  private final int nHeads;
  private final int maxSeqLen;
  private final MlaConfig.Dims dims;
  private final Parameter wq; // [H(dn+dr), d] or null
  private final Parameter wdq; // [r_q, d] or null
  private final Parameter qNorm; // [r_q] or null
  private final Parameter wuq; // [H(dn+dr), r_q] or null
  private final Parameter wdkv; // [r + dr, d]
  private final Parameter kvNorm; // [r]
  private final Parameter wuk; // [H dn, r]
  private final Parameter wuv; // [H dv, r]
  private final Parameter wo; // [d, H dv]
  private final Heads.RopeTables rope;

  MlaAttention(MlaConfig config, AttentionContext ctx) {
    this.precision = ctx.precision();
    this.dModel = ctx.dModel();
    this.nHeads = ctx.nHeads();
    this.maxSeqLen = ctx.seqLen();
    this.dims = config.resolve(ctx.headDim());
    long qOut = (long) nHeads * dims.qkDim();
    var p = ctx.params();
    if (dims.qLoraRank() > 0) {
      wq = null;
      wdq = p.normal("wdq", ParamRole.ATTENTION, dims.qLoraRank(), dModel);
      qNorm = p.constant("q_norm", ParamRole.NORM, 1.0, dims.qLoraRank());
      wuq = p.normal("wuq", ParamRole.ATTENTION, qOut, dims.qLoraRank());
    } else {
      wq = p.normal("wq", ParamRole.ATTENTION, qOut, dModel);
      wdq = null;
      qNorm = null;
      wuq = null;
    }
    wdkv = p.normal("wdkv", ParamRole.ATTENTION, dims.kvLoraRank() + dims.ropeDim(), dModel);
    kvNorm = p.constant("kv_norm", ParamRole.NORM, 1.0, dims.kvLoraRank());
    wuk = p.normal("wuk", ParamRole.ATTENTION, (long) nHeads * dims.nopeDim(), dims.kvLoraRank());
    wuv = p.normal("wuv", ParamRole.ATTENTION, (long) nHeads * dims.vDim(), dims.kvLoraRank());
    wo = p.residualOutput("wo", ParamRole.ATTENTION, dModel, (long) nHeads * dims.vDim());
    rope = new Heads.RopeTables(maxSeqLen, dims.ropeDim(), dims.ropeDim(), ctx.ropeTheta());
  }

  MlaConfig.Dims dims() {
    return dims;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>();
    if (wq != null) {
      all.add(wq);
    } else {
      all.addAll(List.of(wdq, qNorm, wuq));
    }
    all.addAll(List.of(wdkv, kvNorm, wuk, wuv, wo));
    return all;
  }

  /** x: [B, T, d] -> [B, T, d]. */
  @Override
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /** Document masking: the same dense masked kernel with a [B, T, T] visibility instead of [T, T]. */
  @Override
  public boolean supportsDocumentMask() {
    return true;
  }

  /** x: [B, T, d] -> [B, T, d]; documents [B, T] or null. */
  @Override
  public Tensor forward(Tensor x, DocumentIds documents) {
    if (x.rank() != 3 || x.size(2) != dModel) {
      throw new IllegalArgumentException("mla: input must be [B, T, " + dModel + "], got " + Arrays.toString(x.shape()));
    }
    long b = x.size(0);
    long t = x.size(1);
    if (t > maxSeqLen) {
      throw new IllegalArgumentException("mla: sequence length " + t + " exceeds the configured seqLen " + maxSeqLen);
    }
    Tensor xa = precision.activation(x, ParamRole.ATTENTION);
    Tensor qFlat = wq != null ? lin(xa, wq) : lin(Norms.rmsNorm(lin(xa, wdq), qNorm, NORM_EPS), wuq);
    Tensor q = Heads.split(qFlat, nHeads, dims.qkDim()); // [B, H, T, dn+dr]
    List<Tensor> qParts = Shapes.split(q, 3, dims.nopeDim(), dims.ropeDim());
    Tensor qRope = rope.apply(qParts.get(1)); // [B, H, T, dr]

    List<Tensor> ckv = Shapes.split(lin(xa, wdkv), 2, dims.kvLoraRank(), dims.ropeDim());
    Tensor c = Norms.rmsNorm(ckv.get(0), kvNorm, NORM_EPS); // [B, T, r]: the cached latent
    Tensor kRope = rope.apply(Shapes.reshape(ckv.get(1), b, 1, t, dims.ropeDim())); // [B, 1, T, dr]
    Tensor kNope = Heads.split(lin(c, wuk), nHeads, dims.nopeDim()); // [B, H, T, dn]
    Tensor v = Heads.split(lin(c, wuv), nHeads, dims.vDim()); // [B, H, T, dv]
    Tensor kRopeH = Elementwise.add(kRope, Tensor.constant(Nd4j.zeros(kRope.dataType(), b, nHeads, t, dims.ropeDim())));

    Tensor qAll = Shapes.concat(3, qParts.get(0), qRope); // [B, H, T, dn+dr]
    Tensor kAll = Shapes.concat(3, kNope, kRopeH); // [B, H, T, dn+dr]
    INDArray visible = documents == null ? Heads.causal((int) t, qAll.dataType()) // [T, T]
        : MaskedAttention.documentVisible(documents.ids(), 0, qAll.dataType()); // [B, T, T]
    Tensor o = MaskedAttention.attend(qAll, kAll, v, 1.0 / Math.sqrt(dims.qkDim()), 0, visible).out(); // [B, H, T, dv]
    return lin(Heads.merge(o), wo);
  }

  private Tensor lin(Tensor x, Parameter w) {
    return MatOps.linearT(precision.activation(x, ParamRole.ATTENTION), precision.weight(w));
  }

  /** The latent c_kv [r] plus the shared RoPE key [dr]. */
  @Override
  public long kvCachePerToken() {
    return (long) dims.kvLoraRank() + dims.ropeDim();
  }

  /** Projections (2 * in * out per weight) plus scores 2 H (dn+dr) T and values 2 H dv T. */
  @Override
  public long flopsPerToken(int seqLen) {
    long h = nHeads;
    long qProj = dims.qLoraRank() > 0
        ? (long) dims.qLoraRank() * dModel + h * dims.qkDim() * dims.qLoraRank()
        : h * dims.qkDim() * dModel;
    long kvProj = (long) (dims.kvLoraRank() + dims.ropeDim()) * dModel
        + h * (dims.nopeDim() + dims.vDim()) * dims.kvLoraRank();
    long outProj = (long) dModel * h * dims.vDim();
    long attention = 2L * h * (dims.qkDim() + dims.vDim()) * seqLen;
    return 2L * (qProj + kvProj + outProj) + attention;
  }
}
