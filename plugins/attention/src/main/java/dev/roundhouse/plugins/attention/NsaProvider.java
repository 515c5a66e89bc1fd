package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import org.pf4j.Extension;

/** {@code "nsa"}: Native Sparse Attention (compressed + selected + sliding-window branches, gated). */
@Extension
public final class NsaProvider implements AttentionProvider<NsaConfig> {
  @Override
  public String id() {
    return "nsa";
  }

  @Override
  public Class<NsaConfig> configType() {
    return NsaConfig.class;
  }

  @Override
  public Attention build(NsaConfig config, AttentionContext context) {
    return new NsaAttention(config == null ? NsaConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "Native Sparse Attention: compressed, top-n selected and sliding-window branches with sigmoid gates";
  }
}
