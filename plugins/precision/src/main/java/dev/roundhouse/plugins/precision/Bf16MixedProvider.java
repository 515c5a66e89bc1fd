package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import dev.roundhouse.tensor.Bf16;
import org.pf4j.Extension;

/**
 * {@code "bf16-mixed"}: the configured roles' products compute in bf16 (bf16 weights, activations
 * and output gradients, fp32 accumulation; {@link Bf16ComputePolicy}), fp32 master weights,
 * optimizer state and reductions; no loss scaling (bf16 has fp32's exponent range). Where the CPU
 * has no bf16 instructions, {@link #build} prints one line saying the products are not native
 * (they are then widened and run by the fp32 gemm; same values). Stateless.
 */
@Extension
public final class Bf16MixedProvider implements PrecisionProvider<Bf16MixedConfig> {
  @Override
  public String id() {
    return "bf16-mixed";
  }

  @Override
  public Class<Bf16MixedConfig> configType() {
    return Bf16MixedConfig.class;
  }

  @Override
  public PrecisionPolicy build(Bf16MixedConfig config, PrecisionContext context) {
    String line = notNativeLine(Bf16.mode());
    if (line != null) {
      System.err.println(line);
    }
    return new Bf16ComputePolicy(Roles.parse(config.roles()));
  }

  /** The one line printed when products are not native in {@code mode}; null when they are. */
  static String notNativeLine(Bf16.Mode mode) {
    return mode == Bf16.Mode.NATIVE ? null
        : "bf16-mixed: bf16 products are not native on this machine: " + Bf16.describe(mode);
  }

  @Override
  public String description() {
    return "bf16 products (fp32 accumulate) with fp32 master weights and state";
  }
}
