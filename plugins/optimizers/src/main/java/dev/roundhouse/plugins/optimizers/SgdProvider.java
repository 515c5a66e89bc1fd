package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.OptimizerProvider;
import org.pf4j.Extension;

/** {@code "sgd"}: SGD with (Nesterov) momentum and decoupled weight decay. Stateless; see {@link Sgd} for the update rule. */
@Extension
public final class SgdProvider implements OptimizerProvider<SgdConfig> {
  @Override
  public String id() {
    return "sgd";
  }

  @Override
  public Class<SgdConfig> configType() {
    return SgdConfig.class;
  }

  @Override
  public Optimizer build(SgdConfig config, OptimizerContext context) {
    return new Sgd(config, context);
  }

  @Override
  public String description() {
    return "SGD with (Nesterov) momentum and decoupled weight decay";
  }
}
