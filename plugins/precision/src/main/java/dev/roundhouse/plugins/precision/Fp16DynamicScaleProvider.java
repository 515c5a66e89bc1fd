package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import org.pf4j.Extension;

/** {@code "fp16-dynamic-scale"}: fp16 matmul operands with dynamic loss scaling. Stateless provider. */
@Extension
public final class Fp16DynamicScaleProvider implements PrecisionProvider<Fp16DynamicScaleConfig> {
  @Override
  public String id() {
    return "fp16-dynamic-scale";
  }

  @Override
  public Class<Fp16DynamicScaleConfig> configType() {
    return Fp16DynamicScaleConfig.class;
  }

  @Override
  public PrecisionPolicy build(Fp16DynamicScaleConfig config, PrecisionContext context) {
    return new Fp16DynamicScalePolicy(config, Roles.parse(config.roles()));
  }

  @Override
  public String description() {
    return "fp16 matmul operands, dynamic loss scaling (overflow skips the step and halves the scale)";
  }
}
