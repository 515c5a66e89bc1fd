package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.PrecisionPolicy;

/** Test contexts from the plugin test support ({@code dev.roundhouse.testing}). */
final class TestContexts {
  private TestContexts() {}

  static final PrecisionPolicy FP32 = dev.roundhouse.testing.TestContexts.FP32;

  /** One layer of a model with width d, H heads and sequence length T; weights ~ normal(0, 0.5). */
  static AttentionContext context(int d, int heads, int seqLen) {
    return dev.roundhouse.testing.TestContexts.attention(d, heads, seqLen, 0.5);
  }
}
