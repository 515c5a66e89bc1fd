package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.OptimizerProvider;
import org.pf4j.Extension;

/** {@code "lion"}: Lion: sign of interpolated momentum, decoupled weight decay. Stateless; see {@link Lion} for the update rule. */
@Extension
public final class LionProvider implements OptimizerProvider<LionConfig> {
  @Override
  public String id() {
    return "lion";
  }

  @Override
  public Class<LionConfig> configType() {
    return LionConfig.class;
  }

  @Override
  public Optimizer build(LionConfig config, OptimizerContext context) {
    return new Lion(config, context);
  }

  @Override
  public String description() {
    return "Lion: sign of interpolated momentum, decoupled weight decay";
  }
}
