package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import org.pf4j.Extension;

/** {@code "mla"}: DeepSeek multi-head latent attention (low-rank q and joint KV compression, decoupled RoPE). */
@Extension
public final class MlaProvider implements AttentionProvider<MlaConfig> {
  @Override
  public String id() {
    return "mla";
  }

  @Override
  public Class<MlaConfig> configType() {
    return MlaConfig.class;
  }

  @Override
  public Attention build(MlaConfig config, AttentionContext context) {
    return new MlaAttention(config == null ? MlaConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "Multi-head latent attention: KV cache of kvLoraRank + ropeDim per token";
  }
}
