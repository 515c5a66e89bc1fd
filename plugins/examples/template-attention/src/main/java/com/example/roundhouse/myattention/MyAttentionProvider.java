package com.example.roundhouse.myattention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import org.pf4j.Extension;

/** The {@code my-attention} extension. Stateless and thread-safe, like every provider. */
@Extension
public class MyAttentionProvider implements AttentionProvider<MyAttentionConfig> {
  public static final String ID = "my-attention";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<MyAttentionConfig> configType() {
    return MyAttentionConfig.class;
  }

  @Override
  public Attention build(MyAttentionConfig config, AttentionContext context) {
    return new MyAttention(config == null ? new MyAttentionConfig(null) : config, context);
  }

  @Override
  public String description() {
    return "single-head causal attention (template: replace with yours)";
  }
}
