package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.plugins.attention.kernels.CausalConv;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Norms;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Kimi Delta Attention: a gated delta-rule linear attention with per-channel forget gates.
 *
 * <p>Per head (dk = dv = hd): q, k, v = SiLU(causal depthwise conv(x W)); q and k L2-normalised per
 * head, q scaled by 1 / sqrt(hd); forget gate log alpha = minLogDecay * sigmoid(x wa^T + ba) per
 * channel [H hd]; write strength beta = sigmoid(x wb^T) per head; state update
 * S_t = (I - beta_t k_t k_t^T) diag(alpha_t) S_{t-1} + beta_t k_t v_t^T, o_t = S_t^T q_t ({@link
 * DeltaRule}); output o = RMSNorm_head(o) * sigmoid(x wg^T), then wo. Cost linear in T; the
 * recurrent state is H * hd * hd per sequence (no per-token KV cache).
 *
 * <p>Legend: B batch, T positions, d width, H heads, hd = d / H, K conv size. Weights: wq, wk, wv,
 * wa, wg [H hd, d]; conv_q, conv_k, conv_v [K, H hd]; ba [H hd]; wb [H, d]; o_norm [hd]; wo [d, H hd].
 */
final class KdaAttention implements Attention {
  private static final double EPS = 1e-6;
  private final PrecisionPolicy precision;
  private final KdaConfig config;
  private final int dModel;
  private final int nHeads;
  private final int headDim;
  private final int maxSeqLen;
  private final Parameter wq;
  private final Parameter wk;
  private final Parameter wv;
  private final Parameter convQ;
  private final Parameter convK;
  private final Parameter convV;
  private final Parameter wa;
  private final Parameter ba;
  private final Parameter wb;
  private final Parameter wg;
  private final Parameter oNorm;
  private final Parameter wo;

  KdaAttention(KdaConfig config, AttentionContext ctx) {
    this.precision = ctx.precision();
    this.config = config;
    this.dModel = ctx.dModel();
    this.nHeads = ctx.nHeads();
    this.headDim = ctx.headDim();
    this.maxSeqLen = ctx.seqLen();
    var p = ctx.params();
    long inner = (long) nHeads * headDim;
    double convStd = 1.0 / Math.sqrt(config.convSize());
    wq = p.normal("wq", ParamRole.ATTENTION, inner, dModel);
    wk = p.normal("wk", ParamRole.ATTENTION, inner, dModel);
    wv = p.normal("wv", ParamRole.ATTENTION, inner, dModel);
    convQ = p.normalWithStd("conv_q", ParamRole.ATTENTION, convStd, config.convSize(), inner);
    convK = p.normalWithStd("conv_k", ParamRole.ATTENTION, convStd, config.convSize(), inner);
    convV = p.normalWithStd("conv_v", ParamRole.ATTENTION, convStd, config.convSize(), inner);
    wa = p.normal("wa", ParamRole.ATTENTION, inner, dModel);
    ba = p.constant("ba", ParamRole.BIAS, -4.0, inner); // alpha starts near e^{minLogDecay * 0.018}
    wb = p.normal("wb", ParamRole.ATTENTION, nHeads, dModel);
    wg = p.normal("wg", ParamRole.ATTENTION, inner, dModel);
    oNorm = p.constant("o_norm", ParamRole.NORM, 1.0, headDim);
    wo = p.residualOutput("wo", ParamRole.ATTENTION, dModel, inner);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(wq, wk, wv, convQ, convK, convV, wa, ba, wb, wg, oNorm, wo);
  }

  @Override
  public Tensor forward(Tensor x) {
    return forward(x, config.chunked());
  }

  /** x: [B, T, d] -> [B, T, d], with the chunkwise or the recurrent form of the delta rule. */
  Tensor forward(Tensor x, boolean chunked) {
    if (x.rank() != 3 || x.size(2) != dModel) {
      throw new IllegalArgumentException("kda: input must be [B, T, " + dModel + "], got " + Arrays.toString(x.shape()));
    }
    long b = x.size(0);
    long t = x.size(1);
    if (t > maxSeqLen) {
      throw new IllegalArgumentException("kda: sequence length " + t + " exceeds the configured seqLen " + maxSeqLen);
    }
    Tensor xa = precision.activation(x, ParamRole.ATTENTION);
    Tensor q = l2Normalize(heads(Pointwise.silu(CausalConv.depthwise(lin(xa, wq), convQ)))).mul(1.0 / Math.sqrt(headDim));
    Tensor k = l2Normalize(heads(Pointwise.silu(CausalConv.depthwise(lin(xa, wk), convK))));
    Tensor v = heads(Pointwise.silu(CausalConv.depthwise(lin(xa, wv), convV)));
    Tensor logA = heads(Pointwise.sigmoid(Elementwise.add(lin(xa, wa), ba))).mul(config.minLogDecay());
    Tensor beta = Pointwise.sigmoid(lin(xa, wb)); // [B, T, H]
    long n = b * nHeads;
    Tensor betaN = Shapes.reshape(Shapes.permute(beta, 0, 2, 1), n, t, 1); // [N, T, 1]
    Tensor o = chunked
        ? DeltaRule.chunked(flat(q), flat(k), flat(v), flat(logA), betaN, config.chunkSize())
        : DeltaRule.recurrent(flat(q), flat(k), flat(v), flat(logA), betaN); // [N, T, hd]
    Tensor oHeads = Shapes.permute(Shapes.reshape(o, b, nHeads, t, headDim), 0, 2, 1, 3); // [B, T, H, hd]
    Tensor normed = Shapes.reshape(Norms.rmsNorm(oHeads, oNorm, EPS), b, t, (long) nHeads * headDim);
    Tensor gated = normed.mul(Pointwise.sigmoid(lin(xa, wg)));
    return lin(gated, wo);
  }

  /** [B, T, H*hd] -> [B, T, H, hd]. */
  private Tensor heads(Tensor y) {
    return Shapes.reshape(y, y.size(0), y.size(1), nHeads, headDim);
  }

  /** [B, T, H, hd] -> [B*H, T, hd]. */
  private Tensor flat(Tensor y) {
    return Shapes.reshape(Shapes.permute(y, 0, 2, 1, 3), y.size(0) * nHeads, y.size(1), headDim);
  }

  /** Per-head x / sqrt(sum(x^2) + eps) over the last dim. */
  private static Tensor l2Normalize(Tensor y) {
    Tensor sq = Reductions.sum(Pointwise.square(y), true, 3);
    return y.mul(Pointwise.rsqrt(Elementwise.addScalar(sq, EPS)));
  }

  private Tensor lin(Tensor x, Parameter w) {
    return MatOps.linearT(precision.activation(x, ParamRole.ATTENTION), precision.weight(w));
  }

  /** No per-token cache: the recurrent state is H hd^2 elements per sequence. */
  @Override
  public long kvCachePerToken() {
    return 0;
  }

  /**
   * Projections 2 d (6 H hd + H) plus the chunkwise delta rule: about 2 H hd (4 hd + 4 C) per token
   * (state products and the C x C intra-chunk matrices); the conv and gates are negligible.
   */
  @Override
  public long flopsPerToken(int seqLen) {
    long inner = (long) nHeads * headDim;
    long projections = 2L * dModel * (6L * inner + nHeads);
    long rule = 2L * nHeads * headDim * (4L * headDim + 4L * config.chunkSize());
    return projections + rule;
  }
}
