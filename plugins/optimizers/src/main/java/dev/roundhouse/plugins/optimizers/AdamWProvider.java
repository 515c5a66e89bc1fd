package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.OptimizerProvider;
import org.pf4j.Extension;

/** {@code "adamw"}: Adam with bias correction and decoupled weight decay (Loshchilov and Hutter). Stateless. */
@Extension
public final class AdamWProvider implements OptimizerProvider<AdamWConfig> {
  @Override
  public String id() {
    return "adamw";
  }

  @Override
  public Class<AdamWConfig> configType() {
    return AdamWConfig.class;
  }

  @Override
  public Optimizer build(AdamWConfig config, OptimizerContext context) {
    return new AdamW(config, context);
  }

  @Override
  public String description() {
    return "AdamW: bias-corrected Adam with decoupled weight decay";
  }
}
