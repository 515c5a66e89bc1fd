package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import org.pf4j.Extension;

/**
 * {@code "bf16-mixed"}: bf16 operands for the configured roles' matmuls (weights, activations and
 * their gradients rounded to bf16 with round-to-nearest-even), fp32 master weights, optimizer
 * state and reductions; no loss scaling (bf16 has fp32's exponent range). Stateless.
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
    java.util.function.UnaryOperator<org.nd4j.linalg.api.ndarray.INDArray> bf16 =
        x -> Quantizer.round(x, NumberFormat.BF16);
    return new LowPrecisionPolicy(Roles.parse(config.roles()), new LowPrecisionPolicy.Rounding(bf16, bf16, bf16, bf16),
        "bf16 weights, activations and gradients (RNE), fp32 accumulate");
  }

  @Override
  public String description() {
    return "bf16 matmul operands with fp32 master weights and state";
  }
}
