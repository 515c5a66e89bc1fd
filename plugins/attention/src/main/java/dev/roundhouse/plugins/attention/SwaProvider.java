package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import org.pf4j.Extension;

/** {@code "swa"}: sliding-window causal attention in O(T * W) (banded kernel). Stateless. */
@Extension
public final class SwaProvider implements AttentionProvider<SwaConfig> {
  @Override
  public String id() {
    return "swa";
  }

  @Override
  public Class<SwaConfig> configType() {
    return SwaConfig.class;
  }

  @Override
  public Attention build(SwaConfig config, AttentionContext context) {
    SwaConfig c = config == null ? SwaConfig.defaults() : config;
    return new MhaAttention("swa", c.heads(), c.window(), context);
  }

  @Override
  public String description() {
    return "Sliding-window causal attention (window W, O(T*W)), GQA/QK-norm/soft-cap options as mha";
  }
}
