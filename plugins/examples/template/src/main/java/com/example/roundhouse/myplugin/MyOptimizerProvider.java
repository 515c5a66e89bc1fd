package com.example.roundhouse.myplugin;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.OptimizerProvider;
import org.pf4j.Extension;

/**
 * Registers the {@code "my-plugin"} optimizer. Providers are stateless: the host keeps one instance and
 * calls {@link #build} once per parameter group, from any thread.
 */
@Extension
public class MyOptimizerProvider implements OptimizerProvider<MyOptimizerConfig> {
  public static final String ID = "my-plugin";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<MyOptimizerConfig> configType() {
    return MyOptimizerConfig.class;
  }

  @Override
  public Optimizer build(MyOptimizerConfig config, OptimizerContext context) {
    return new MyOptimizer(config == null ? MyOptimizerConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "plain SGD: p -= lr * g (template; replace with your own)";
  }
}
