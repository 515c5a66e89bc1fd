package dev.roundhouse.testing;

import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;

/** Contexts to build a component in a unit test, as the host would for layer 0 of a one-layer model. */
public final class TestContexts {
  private TestContexts() {}

  /** The fp32 policy: weights and activations pass through unchanged, loss scale 1. */
  public static final PrecisionPolicy FP32 = new PrecisionPolicy() {
    @Override
    public Tensor weight(Parameter p) {
      return p;
    }
  };

  /** A router over x [N, d] with {@code experts} experts and top-{@code k}; weights ~ normal(0, std); seed 1. */
  public static RouterContext router(int d, int experts, int k, double std) {
    return new RouterContext(d, experts, k, 0, TestParameterFactory.withStd(std), 1L);
  }

  /**
   * Attention over x [B, T, d] with {@code heads} heads and sequence length {@code seqLen}, RoPE theta 10000,
   * the {@link #FP32} policy; weights ~ normal(0, std) named {@code layers.0.attn.*}.
   */
  public static AttentionContext attention(int d, int heads, int seqLen, double std) {
    return new AttentionContext(d, heads, seqLen, 0, 1, 10000.0,
        new TestParameterFactory("layers.0.attn.", std, 1), FP32);
  }
}
