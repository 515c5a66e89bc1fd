package dev.roundhouse.host.model;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.DocumentIds;
import dev.roundhouse.api.Trainable;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.Norms;
import dev.roundhouse.tensor.Parameter;
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

  /** x: [B, T, d] -> [B, T, d]. */
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /** x: [B, T, d] -> [B, T, d]; documents [B, T] (document masking) or null. */
  public Tensor forward(Tensor x, DocumentIds documents) {
    long b = x.size(0);
    long t = x.size(1);
    long d = x.size(2);
    Tensor normed = Norms.rmsNorm(x, attnNorm, eps);
    Tensor a = documents == null ? attention.forward(normed) : attention.forward(normed, documents);
    if (a.rank() != 3 || a.size(0) != b || a.size(1) != t || a.size(2) != d) {
      throw new ComponentOutputException("attention", attentionId, "returned shape "
          + java.util.Arrays.toString(a.shape()) + ", expected [" + b + ", " + t + ", " + d + "]");
    }
    Tensor h = Elementwise.add(x, a);
    Tensor flat = Shapes.reshape(Norms.rmsNorm(h, ffnNorm, eps), b * t, d); // [N, d]
    Tensor f = dense != null ? dense.forward(flat) : moe.forward(flat, (int) t);
    return Elementwise.add(h, Shapes.reshape(f, b, t, d));
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
