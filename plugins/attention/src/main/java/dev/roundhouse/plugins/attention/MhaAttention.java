package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.DocumentIds;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.BandedAttention;
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

/**
 * Causal multi-head / grouped-query self-attention with RoPE on q and k, optional per-head QK-norm,
 * optional logit soft-capping and an optional sliding window (the {@code "swa"} block).
 *
 * <p>Legend: B batch, T positions, d model width, H query heads, Hk kv heads, hd = d / H. Weights are
 * [out, in]: wq [d, d], wk and wv [Hk*hd, d], wo [d, d] (residual-output init), all {@link
 * ParamRole#ATTENTION}; with qkNorm also q_norm, k_norm [hd] ({@link ParamRole#NORM}).
 *
 * <p>Kernels: window > 0 uses {@link BandedAttention} (O(T W)); otherwise soft-capping uses {@link
 * MaskedAttention} and plain attention the fused {@link AttentionOps#causalAttention}. With document ids
 * (document masking) every variant runs {@link MaskedAttention} with a per-row [B, T, T] visibility.
 */
final class MhaAttention implements Attention {
  private static final double NORM_EPS = 1e-6;
  private final String id;
  private final PrecisionPolicy precision;
  private final int dModel;
  private final int nHeads;
  private final int nKvHeads;
  private final int headDim;
  private final int maxSeqLen;
  private final int window;
  private final double softCap;
  private final Parameter wq;
  private final Parameter wk;
  private final Parameter wv;
  private final Parameter wo;
  private final Parameter qNorm; // null without qkNorm
  private final Parameter kNorm;
  private final Heads.RopeTables rope;

  /** @param window 0 for full causal attention, else the sliding window W (banded kernel) */
  MhaAttention(String id, MhaConfig config, int window, AttentionContext ctx) {
    this.id = id;
    this.precision = ctx.precision();
    this.dModel = ctx.dModel();
    this.nHeads = ctx.nHeads();
    this.nKvHeads = config.kvHeads(id, nHeads);
    this.headDim = ctx.headDim();
    this.maxSeqLen = ctx.seqLen();
    this.window = window;
    this.softCap = config.softCap();
    long kvDim = (long) nKvHeads * headDim;
    this.wq = ctx.params().normal("wq", ParamRole.ATTENTION, dModel, dModel);
    this.wk = ctx.params().normal("wk", ParamRole.ATTENTION, kvDim, dModel);
    this.wv = ctx.params().normal("wv", ParamRole.ATTENTION, kvDim, dModel);
    this.wo = ctx.params().residualOutput("wo", ParamRole.ATTENTION, dModel, dModel);
    this.qNorm = config.qkNorm() ? ctx.params().constant("q_norm", ParamRole.NORM, 1.0, headDim) : null;
    this.kNorm = config.qkNorm() ? ctx.params().constant("k_norm", ParamRole.NORM, 1.0, headDim) : null;
    this.rope = new Heads.RopeTables(maxSeqLen, headDim, config.rotaryDims(headDim), ctx.ropeTheta());
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>(List.of(wq, wk, wv, wo));
    if (qNorm != null) {
      all.add(qNorm);
      all.add(kNorm);
    }
    return all;
  }

  /** x: [B, T, d] -> [B, T, d]. */
  @Override
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /** Document masking, with or without a window or soft-cap: see {@link #forward(Tensor, DocumentIds)}. */
  @Override
  public boolean supportsDocumentMask() {
    return true;
  }

  /**
   * x: [B, T, d] -> [B, T, d]; documents [B, T] or null. With documents the scores run through {@link
   * MaskedAttention} with a per-row [B, T, T] visibility (same document, causal, within the window):
   * O(T^2) per head even for a sliding window.
   */
  @Override
  public Tensor forward(Tensor x, DocumentIds documents) {
    if (x.rank() != 3 || x.size(2) != dModel) {
      throw new IllegalArgumentException(id + ": input must be [B, T, " + dModel + "], got " + Arrays.toString(x.shape()));
    }
    long t = x.size(1);
    if (t > maxSeqLen) {
      throw new IllegalArgumentException(id + ": sequence length " + t + " exceeds the configured seqLen " + maxSeqLen);
    }
    Tensor xa = precision.activation(x, ParamRole.ATTENTION);
    Tensor q = project(xa, wq, nHeads, qNorm); // [B, H, T, hd]
    Tensor k = project(xa, wk, nKvHeads, kNorm); // [B, Hk, T, hd]
    Tensor v = Heads.split(MatOps.linearT(xa, precision.weight(wv)), nKvHeads, headDim); // [B, Hk, T, hd]
    double scale = 1.0 / Math.sqrt(headDim);
    Tensor o; // [B, H, T, hd]
    if (documents != null) {
      INDArray visible = MaskedAttention.documentVisible(documents.ids(), window, q.dataType()); // [B, T, T]
      o = MaskedAttention.attend(q, k, v, scale, softCap, visible).out();
    } else if (window > 0) {
      o = BandedAttention.attend(q, k, v, scale, window, softCap);
    } else if (softCap > 0) {
      o = MaskedAttention.attend(q, k, v, scale, softCap, Heads.causal((int) t, q.dataType())).out();
    } else {
      o = AttentionOps.causalAttention(q, k, v, scale, 0, null);
    }
    return MatOps.linearT(precision.activation(Heads.merge(o), ParamRole.ATTENTION), precision.weight(wo));
  }

  /** x [B, T, d] -> heads [B, n, T, hd], QK-normed (per head) and rotated. */
  private Tensor project(Tensor xa, Parameter w, int n, Parameter norm) {
    Tensor y = MatOps.linearT(xa, precision.weight(w)); // [B, T, n*hd]
    if (norm != null) {
      y = Norms.rmsNorm(Shapes.reshape(y, y.size(0), y.size(1), n, headDim), norm, NORM_EPS); // [B, T, n, hd]
    }
    Tensor heads = Heads.split(y, n, headDim);
    return rope.rotaryDims() > 0 ? rope.apply(heads) : heads;
  }

  /** Keys and values: 2 * Hk * hd elements per token (a sliding window keeps only the last W tokens). */
  @Override
  public long kvCachePerToken() {
    return 2L * nKvHeads * headDim;
  }

  /**
   * Projections 2 * d * (2d + 2 * Hk * hd), plus q k^T and P v at 2 * H * hd * keys each, where keys is
   * the computed score width: T for full attention (the masked half included), 2 * min(W, T) banded.
   */
  @Override
  public long flopsPerToken(int seqLen) {
    long projections = 2L * dModel * (2L * dModel + 2L * nKvHeads * headDim);
    long keys = window > 0 ? 2L * Math.min(window, seqLen) : seqLen;
    return projections + 4L * nHeads * headDim * keys;
  }
}
