package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.BandedAttention;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.plugins.attention.kernels.MaskedAttention;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.plugins.attention.kernels.SelectedBlockAttention;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Native Sparse Attention: o = g_cmp * o_cmp + g_slc * o_slc + g_win * o_win per head, gates
 * sigmoid(x wg^T + bg) per head and branch; the branches share q, k, v (with RoPE).
 * <ul>
 *   <li>compressed: attention over mean-pooled k/v blocks (length l, stride d) complete at t;</li>
 *   <li>selected: attention over the tokens <= t of the top-n blocks of length l', ranked by the
 *       compressed attention probabilities summed over the GQA group ({@link NsaSelection}); computed
 *       densely over all T keys with broadcast block and causal masks ({@link SelectedBlockAttention}),
 *       which on a CPU with batched BLAS is far cheaper than gathering n l' keys per query;</li>
 *   <li>window: sliding-window attention over the last w tokens ({@link AttentionOps} with a window
 *       for T <= {@value #DENSE_WINDOW_RATIO} w, else {@link BandedAttention}).</li>
 * </ul>
 * Legend: B batch, T positions, d width, H heads, Hk kv heads, G = H / Hk, hd head dim. Weights:
 * wq [d, d], wk, wv [Hk hd, d], wg [3H, d] (rows: cmp heads, slc heads, win heads), bg [3H], wo [d, d].
 */
final class NsaAttention implements Attention {
  /**
   * The window branch runs as dense masked causal attention ({@link AttentionOps}, T x T scores)
   * while T <= this * w, else as the O(T w) {@link BandedAttention}; both compute the same values.
   * Measured (B = 1, d = 256, w = 64, 1 thread): dense faster up to T = 1024 (~ equal there), banded
   * 1.5x faster at T = 2048; at B = 16, T = 256 dense is ~1.5x faster and uses less memory.
   */
  static final int DENSE_WINDOW_RATIO = 8;

  private final PrecisionPolicy precision;
  private final NsaConfig config;
  private final int dModel;
  private final int nHeads;
  private final int nKvHeads;
  private final int headDim;
  private final int maxSeqLen;
  private final Parameter wq;
  private final Parameter wk;
  private final Parameter wv;
  private final Parameter wg;
  private final Parameter bg;
  private final Parameter wo;
  private final Heads.RopeTables rope;
  private final Map<String, NsaSelection> selections = new ConcurrentHashMap<>();

  NsaAttention(NsaConfig config, AttentionContext ctx) {
    this.precision = ctx.precision();
    this.config = config;
    this.dModel = ctx.dModel();
    this.nHeads = ctx.nHeads();
    this.nKvHeads = config.kvHeads(nHeads);
    this.headDim = ctx.headDim();
    this.maxSeqLen = ctx.seqLen();
    long kvDim = (long) nKvHeads * headDim;
    var p = ctx.params();
    wq = p.normal("wq", ParamRole.ATTENTION, dModel, dModel);
    wk = p.normal("wk", ParamRole.ATTENTION, kvDim, dModel);
    wv = p.normal("wv", ParamRole.ATTENTION, kvDim, dModel);
    wg = p.normal("wg", ParamRole.ATTENTION, 3L * nHeads, dModel);
    bg = p.constant("bg", ParamRole.BIAS, 0.0, 3L * nHeads);
    wo = p.residualOutput("wo", ParamRole.ATTENTION, dModel, dModel);
    rope = new Heads.RopeTables(maxSeqLen, headDim, config.rotaryDims(headDim), ctx.ropeTheta());
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(wq, wk, wv, wg, bg, wo);
  }

  /** The three branch outputs [B, H, T, hd] and their gates [B, H, T, 1] (for tests of the identities). */
  record Branches(Tensor cmp, Tensor slc, Tensor win, Tensor gCmp, Tensor gSlc, Tensor gWin, Tensor q, Tensor k,
      Tensor v) {}

  @Override
  public Tensor forward(Tensor x) {
    Branches br = branches(x);
    Tensor o = Elementwise.add(Elementwise.add(br.cmp().mul(br.gCmp()), br.slc().mul(br.gSlc())),
        br.win().mul(br.gWin())); // [B, H, T, hd]
    return lin(Heads.merge(o), wo);
  }

  Branches branches(Tensor x) {
    if (x.rank() != 3 || x.size(2) != dModel) {
      throw new IllegalArgumentException("nsa: input must be [B, T, " + dModel + "], got " + Arrays.toString(x.shape()));
    }
    int b = (int) x.size(0);
    int t = (int) x.size(1);
    if (t > maxSeqLen) {
      throw new IllegalArgumentException("nsa: sequence length " + t + " exceeds the configured seqLen " + maxSeqLen);
    }
    int g = nHeads / nKvHeads;
    Tensor xa = precision.activation(x, ParamRole.ATTENTION);
    Tensor q = rotate(Heads.split(lin(xa, wq), nHeads, headDim)); // [B, H, T, hd]
    Tensor k = rotate(Heads.split(lin(xa, wk), nKvHeads, headDim)); // [B, Hk, T, hd]
    Tensor v = Shapes.contiguous(Heads.split(lin(xa, wv), nKvHeads, headDim)); // [B, Hk, T, hd]
    double scale = 1.0 / Math.sqrt(headDim);
    NsaSelection sel = selection(t, q.dataType());

    // compressed branch
    Tensor cmp;
    org.nd4j.linalg.api.ndarray.INDArray importance = null;
    if (sel.nC > 0) {
      Tensor poolT = Tensor.constant(sel.poolT); // [T, nC]
      Tensor ck = pool(k, poolT); // [B, Hk, nC, hd]
      Tensor cv = pool(v, poolT);
      MaskedAttention.Result r = MaskedAttention.attend(q, ck, cv, scale, 0, sel.compressedVisible);
      cmp = r.out();
      importance = sel.importance(r.probs(), b, nKvHeads, g);
    } else {
      cmp = Tensor.constant(Nd4j.zeros(q.dataType(), b, nHeads, t, headDim));
    }

    // selected branch: dense q k^T scores masked to each query's picked blocks (causal)
    NsaSelection.Picked picked = sel.pick(importance, b * nKvHeads);
    Tensor slc = SelectedBlockAttention.attend(q, k, v, picked.selected().reshape(b, nKvHeads, t, sel.nS),
        config.selectBlock(), scale); // [B, H, T, hd]

    // window branch
    Tensor win = denseWindow(t)
        ? AttentionOps.causalAttention(q, k, v, scale, Math.min(config.window(), t), null)
        : BandedAttention.attend(q, k, v, scale, config.window(), 0);

    // gates: [B, T, 3H] -> [B, 3H, T] -> three [B, H, T, 1]
    Tensor gates = Pointwise.sigmoid(Elementwise.add(lin(xa, wg), bg));
    Tensor g4 = Shapes.reshape(Shapes.permute(gates, 0, 2, 1), b, 3 * nHeads, t, 1);
    List<Tensor> gs = Shapes.split(g4, 1, nHeads, nHeads, nHeads);
    return new Branches(cmp, slc, win, gs.get(0), gs.get(1), gs.get(2), q, k, v);
  }

  /** x: [B, Hk, T, hd] -> mean over each compressed block: [B, Hk, nC, hd]. */
  private static Tensor pool(Tensor x, Tensor poolT) {
    Tensor xt = Shapes.transpose(x, 2, 3); // [B, Hk, hd, T]
    return Shapes.transpose(MatOps.matmul(xt, poolT), 2, 3); // [B, Hk, nC, hd]
  }

  /** Whether the window branch runs dense (see {@link #DENSE_WINDOW_RATIO}). */
  boolean denseWindow(int t) {
    return t <= (long) DENSE_WINDOW_RATIO * config.window();
  }

  private Tensor rotate(Tensor heads) {
    return rope.rotaryDims() > 0 ? rope.apply(heads) : Shapes.contiguous(heads);
  }

  private NsaSelection selection(int t, DataType dtype) {
    return selections.computeIfAbsent(t + "/" + dtype, key -> new NsaSelection(t, config.compressBlock(),
        config.compressStride(), config.selectBlock(), config.selectCount(), dtype));
  }

  private Tensor lin(Tensor x, Parameter w) {
    return MatOps.linearT(precision.activation(x, ParamRole.ATTENTION), precision.weight(w));
  }

  /** Keys and values of every token (the compressed keys/values add 2 Hk hd / d more). */
  @Override
  public long kvCachePerToken() {
    return 2L * nKvHeads * headDim + (2L * nKvHeads * headDim) / config.compressStride();
  }

  /**
   * Projections 2 d (2d + 2 Hk hd + 3H), plus per branch 4 H hd keys: compressed ~T/d, selected T
   * (the masked kernel scores every key; the algorithm itself reads n l'), window T when dense, else
   * 2 min(w, T) (the banded kernel's score width).
   */
  @Override
  public long flopsPerToken(int seqLen) {
    long projections = 2L * dModel * (2L * dModel + 2L * nKvHeads * headDim + 3L * nHeads);
    long compressed = seqLen >= config.compressBlock() ? (seqLen - config.compressBlock()) / config.compressStride() + 1 : 0;
    long selected = seqLen;
    long windowKeys = denseWindow(seqLen) ? seqLen : 2L * Math.min(config.window(), seqLen);
    return projections + 4L * nHeads * headDim * (compressed + selected + windowKeys);
  }
}
