package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import org.pf4j.Extension;

/** {@code "kda"}: Kimi Delta Attention (gated delta rule, per-channel forget gates), linear in T. */
@Extension
public final class KdaProvider implements AttentionProvider<KdaConfig> {
  @Override
  public String id() {
    return "kda";
  }

  @Override
  public Class<KdaConfig> configType() {
    return KdaConfig.class;
  }

  @Override
  public Attention build(KdaConfig config, AttentionContext context) {
    return new KdaAttention(config == null ? KdaConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "Kimi Delta Attention: gated delta-rule linear attention, chunkwise-parallel (linear in T)";
  }
}
