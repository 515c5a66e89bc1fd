package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import org.pf4j.Extension;

/** {@code "fp32"}: full single precision everywhere, no rounding, no loss scaling. Stateless. */
@Extension
public final class Fp32PrecisionProvider implements PrecisionProvider<Fp32Config> {
  @Override
  public String id() {
    return "fp32";
  }

  @Override
  public Class<Fp32Config> configType() {
    return Fp32Config.class;
  }

  @Override
  public PrecisionPolicy build(Fp32Config config, PrecisionContext context) {
    return new Fp32Policy();
  }

  @Override
  public String description() {
    return "fp32 everywhere: weights, activations and gradients unchanged, loss scale 1";
  }
}
