package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import org.pf4j.Extension;

/**
 * {@code "gqa"}: grouped-query attention, the {@code "mha"} block with {@code nKvHeads} required
 * (nKvHeads = 1 is MQA, nKvHeads = nHeads is MHA). Same config record as mha. Stateless.
 */
@Extension
public final class GqaProvider implements AttentionProvider<MhaConfig> {
  @Override
  public String id() {
    return "gqa";
  }

  @Override
  public Class<MhaConfig> configType() {
    return MhaConfig.class;
  }

  @Override
  public Attention build(MhaConfig config, AttentionContext context) {
    if (config == null || config.nKvHeads() == null) {
      throw new IllegalArgumentException("gqa: nKvHeads is required (a divisor of nHeads=" + context.nHeads()
          + "; 1 = MQA)");
    }
    return new MhaAttention("gqa", config, 0, context);
  }

  @Override
  public String description() {
    return "Grouped-query attention (nKvHeads key/value heads shared by groups of query heads)";
  }
}
