package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.PrecisionProvider;
import dev.roundhouse.plugins.precision.ScaledQuantizer.Granularity;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pf4j.Extension;

/**
 * {@code "fp8"}: e4m3 weights and activations in the forward pass, e5m2 for the gradient flowing
 * back into each quantised activation, with per-tensor current scaling or block scaling;
 * straight-through gradients; weight gradients accumulate in fp32 (as fp8 GEMMs output fp32
 * wgrads). Routed experts only by default. Stateless.
 */
@Extension
public final class Fp8Provider implements PrecisionProvider<Fp8Config> {
  @Override
  public String id() {
    return "fp8";
  }

  @Override
  public Class<Fp8Config> configType() {
    return Fp8Config.class;
  }

  @Override
  public PrecisionPolicy build(Fp8Config config, PrecisionContext context) {
    boolean block = config.scaling().equals("block");
    int b = config.blockSize();
    Granularity rows = block ? Granularity.ROW_BLOCK : Granularity.TENSOR;
    Granularity tiles = block ? Granularity.TILE : Granularity.TENSOR;
    UnaryOperator<INDArray> w = x -> ScaledQuantizer.quantize(x, NumberFormat.E4M3, tiles, b);
    UnaryOperator<INDArray> a = x -> ScaledQuantizer.quantize(x, NumberFormat.E4M3, rows, b);
    UnaryOperator<INDArray> g = x -> ScaledQuantizer.quantize(x, NumberFormat.E5M2, rows, b);
    String what = "fp8: e4m3 weights (" + ScaledQuantizer.describe(tiles, b) + ") and activations ("
        + ScaledQuantizer.describe(rows, b) + "), e5m2 activation gradients, straight-through, fp32 accumulate";
    return new LowPrecisionPolicy(Roles.parse(config.roles()), new LowPrecisionPolicy.Rounding(w, a, null, g), what,
        block, // 1 x b activation / gradient blocks lie within a row: row-wise; a tensor scale is not
        block ? null : new LowPrecisionPolicy.GroupRounding( // tensor scaling: one scale per expert block, one pass
            (x, o) -> ScaledQuantizer.quantizeGroups(x, NumberFormat.E4M3, o),
            (x, o) -> ScaledQuantizer.quantizeGroups(x, NumberFormat.E5M2, o),
            (ws, out) -> ScaledQuantizer.quantizeEachInto(ws, NumberFormat.E4M3, out))); // weights: tensor scaling too
  }

  @Override
  public String description() {
    return "fp8 e4m3 forward / e5m2 gradients, per-tensor or block scales; routed experts by default";
  }
}
