package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import org.pf4j.Extension;

/** {@code "mha"}: causal multi-head self-attention with RoPE; {@code nKvHeads < nHeads} gives GQA. Stateless. */
@Extension
public final class MhaProvider implements AttentionProvider<MhaConfig> {
  @Override
  public String id() {
    return "mha";
  }

  @Override
  public Class<MhaConfig> configType() {
    return MhaConfig.class;
  }

  @Override
  public Attention build(MhaConfig config, AttentionContext context) {
    return new MhaAttention("mha", config == null ? MhaConfig.defaults() : config, 0, context);
  }

  @Override
  public String description() {
    return "Causal multi-head attention with RoPE, optional QK-norm and logit soft-capping";
  }
}
