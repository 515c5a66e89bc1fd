package com.example.roundhouse.myprecision;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import org.pf4j.Extension;

/** The {@code my-precision} extension. Stateless and thread-safe, like every provider. */
@Extension
public class MyPrecisionProvider implements PrecisionProvider<MyPrecisionConfig> {
  public static final String ID = "my-precision";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<MyPrecisionConfig> configType() {
    return MyPrecisionConfig.class;
  }

  @Override
  public PrecisionPolicy build(MyPrecisionConfig config, PrecisionContext context) {
    return new MyPrecisionPolicy(config == null ? new MyPrecisionConfig(null) : config);
  }

  @Override
  public String description() {
    return "fp32 compute with a static loss scale (template: replace with yours)";
  }
}
