package dev.roundhouse.host.model;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.DocumentIds;
import dev.roundhouse.api.Routing;
import dev.roundhouse.api.Trainable;
import dev.roundhouse.host.config.ActivationCheckpointing;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Norms;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Recompute;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One pre-norm transformer block: h = x + attn(rms(x)); out = h + ffn(rms(h)), where ffn is a
 * dense SwiGLU or a {@link MoeLayer}. Shapes: x [B, T, d].
 */
public final class Block implements Trainable {
  private final Parameter attnNorm; // [d]
  private final Attention attention;
  private final String attentionId;
  private final Parameter ffnNorm; // [d]
  private final SwiGlu dense; // null for MoE layers
  private final MoeLayer moe; // null for dense layers
  private final double eps;
  private ActivationCheckpointing checkpointing = ActivationCheckpointing.NONE;

  public Block(Parameter attnNorm, String attentionId, Attention attention, Parameter ffnNorm, SwiGlu dense,
      MoeLayer moe, double eps) {
    this.attnNorm = attnNorm;
    this.attentionId = attentionId;
    this.attention = attention;
    this.ffnNorm = ffnNorm;
    this.dense = dense;
    this.moe = moe;
    this.eps = eps;
  }

  /** What this block recomputes in backward ({@link ActivationCheckpointing}); set between steps. */
  public void checkpointing(ActivationCheckpointing mode) {
    this.checkpointing = mode;
  }

  /** x: [B, T, d] -> [B, T, d]. */
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /** x: [B, T, d] -> [B, T, d]; documents [B, T] (document masking) or null. */
  public Tensor forward(Tensor x, DocumentIds documents) {
    return switch (NoGrad.active() ? ActivationCheckpointing.NONE : checkpointing) {
      case NONE -> ffnSublayer(attentionSublayer(x, documents));
      case ATTENTION -> ffnSublayer(Elementwise.add(x,
          Recompute.checkpoint(List.of(x), in -> List.of(attention(in.get(0), documents))).get(0)));
      case MOE -> moe == null ? ffnSublayer(attentionSublayer(x, documents))
          : checkpointed(attentionSublayer(x, documents), this::ffnSublayer);
      case BLOCK -> checkpointed(x, in -> ffnSublayer(attentionSublayer(in, documents)));
    };
  }

  /** x + attn(rms(x)). */
  private Tensor attentionSublayer(Tensor x, DocumentIds documents) {
    return Elementwise.add(x, attention(x, documents));
  }

  /** attn(rms(x)): [B, T, d], checked; documents [B, T] or null. */
  private Tensor attention(Tensor x, DocumentIds documents) {
    long b = x.size(0);
    long t = x.size(1);
    long d = x.size(2);
    Tensor normed = Norms.rmsNorm(x, attnNorm, eps);
    Tensor a = documents == null ? attention.forward(normed) : attention.forward(normed, documents);
    if (a.rank() != 3 || a.size(0) != b || a.size(1) != t || a.size(2) != d) {
      throw new ComponentOutputException("attention", attentionId, "returned shape "
          + java.util.Arrays.toString(a.shape()) + ", expected [" + b + ", " + t + ", " + d + "]");
    }
    return a;
  }

  /** h + ffn(rms(h)). */
  private Tensor ffnSublayer(Tensor h) {
    long b = h.size(0);
    long t = h.size(1);
    long d = h.size(2);
    Tensor flat = Shapes.reshape(Norms.rmsNorm(h, ffnNorm, eps), b * t, d); // [N, d]
    Tensor f = dense != null ? dense.forward(flat) : moe.forward(flat, (int) t);
    return Elementwise.add(h, Shapes.reshape(f, b, t, d));
  }

  /**
   * {@code part(in)} as a checkpointed segment. With an MoE layer inside, the segment's outputs
   * also carry the routing's gates and losses, so the loss (and metrics) read them from the
   * segment's outputs; the re-run leaves the layer's routing of the first pass in place.
   */
  private Tensor checkpointed(Tensor in, java.util.function.UnaryOperator<Tensor> part) {
    List<Tensor> outs = Recompute.checkpoint(List.of(in), ins -> {
      MoeLayer.LayerRouting first = moe != null && Recompute.active() ? moe.lastRouting() : null;
      List<Tensor> o = new ArrayList<>();
      o.add(part.apply(ins.get(0)));
      if (moe != null) {
        Routing r = moe.lastRouting().routing();
        o.add(r.gates());
        o.addAll(r.losses().values());
      }
      if (first != null) {
        moe.restoreRouting(first);
      }
      return o;
    });
    if (moe != null) {
      moe.adoptCheckpointed(outs.get(1), outs.subList(2, outs.size()));
    }
    return outs.get(0);
  }

  public MoeLayer moe() {
    return moe;
  }

  public SwiGlu dense() {
    return dense;
  }

  public Attention attention() {
    return attention;
  }

  public String attentionId() {
    return attentionId;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>();
    all.add(attnNorm);
    all.addAll(attention.parameters());
    all.add(ffnNorm);
    all.addAll(dense != null ? dense.parameters() : moe.parameters());
    return all;
  }
}
