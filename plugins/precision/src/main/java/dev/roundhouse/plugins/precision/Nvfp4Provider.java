package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pf4j.Extension;

/**
 * {@code "nvfp4"}: weights and activations as e2m1 values with an e4m3 scale per 16 elements and
 * an fp32 per-tensor scale ({@link ScaledQuantizer#nvfp4}); gradients flowing back into quantised
 * activations are rounded to bf16; straight-through; fp32 master weights. Experts only by default.
 */
@Extension
public final class Nvfp4Provider implements PrecisionProvider<Nvfp4Config> {
  @Override
  public String id() {
    return "nvfp4";
  }

  @Override
  public Class<Nvfp4Config> configType() {
    return Nvfp4Config.class;
  }

  @Override
  public PrecisionPolicy build(Nvfp4Config config, PrecisionContext context) {
    UnaryOperator<INDArray> fp4 = ScaledQuantizer::nvfp4;
    UnaryOperator<INDArray> bf16 = x -> Quantizer.round(x, NumberFormat.BF16);
    return new LowPrecisionPolicy(Roles.parse(config.roles()), new LowPrecisionPolicy.Rounding(fp4, fp4, null, bf16),
        "nvfp4: e2m1 weights and activations, e4m3 scale per 16 elements + fp32 tensor scale, bf16 activation"
            + " gradients, straight-through, fp32 accumulate",
        false, // the tensor scale spans rows
        new LowPrecisionPolicy.GroupRounding( // routed experts: one tensor scale per expert block, one set of passes
            ScaledQuantizer::nvfp4Groups, (g, o) -> Quantizer.round(g, NumberFormat.BF16),
            ScaledQuantizer::nvfp4EachInto)); // weights: one tensor scale each, stacked
  }

  @Override
  public String description() {
    return "NVFP4 (e2m1 + e4m3 block-16 scales) on routed experts by default";
  }
}
