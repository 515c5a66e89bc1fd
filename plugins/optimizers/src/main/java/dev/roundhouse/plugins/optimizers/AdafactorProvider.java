package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.OptimizerProvider;
import org.pf4j.Extension;

/** {@code "adafactor"}: Adafactor: factored second moment, update clipping. Stateless; see {@link Adafactor} for the update rule. */
@Extension
public final class AdafactorProvider implements OptimizerProvider<AdafactorConfig> {
  @Override
  public String id() {
    return "adafactor";
  }

  @Override
  public Class<AdafactorConfig> configType() {
    return AdafactorConfig.class;
  }

  @Override
  public Optimizer build(AdafactorConfig config, OptimizerContext context) {
    return new Adafactor(config, context);
  }

  @Override
  public String description() {
    return "Adafactor: factored second moment, update clipping";
  }
}
