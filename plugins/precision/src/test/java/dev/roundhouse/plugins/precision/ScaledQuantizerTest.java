package dev.roundhouse.plugins.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.plugins.precision.ScaledQuantizer.Granularity;
import dev.roundhouse.tensor.StepArena;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Scale factors recover a tensor's dynamic range; block scales isolate outliers; NVFP4 layout. */
class ScaledQuantizerTest {
  @Test
  void tensorScalingRecoversTheDynamicRangeOfTinyAndHugeTensors() {
    Nd4j.getRandom().setSeed(1);
    for (double magnitude : new double[] {1e-7, 1e-3, 1e4, 1e7}) {
      INDArray x = Nd4j.randn(DataType.FLOAT, 64, 64).muli(magnitude);
      // unscaled e4m3: tiny tensors flush to zero, huge ones saturate
      double rawErr = relErr(Quantizer.round(x, NumberFormat.E4M3), x);
      double scaledErr = relErr(ScaledQuantizer.quantize(x, NumberFormat.E4M3, Granularity.TENSOR, 128), x);
      assertTrue(rawErr > 0.5, "unscaled e4m3 should lose a " + magnitude + " tensor, err " + rawErr);
      assertTrue(scaledErr < 0.05, "scaled e4m3 error at " + magnitude + ": " + scaledErr);
      double e5m2 = relErr(ScaledQuantizer.quantize(x, NumberFormat.E5M2, Granularity.TENSOR, 128), x);
      assertTrue(e5m2 < 0.1, "scaled e5m2 error at " + magnitude + ": " + e5m2);
    }
  }

  @Test
  void scaledTensorMapsAmaxToTheFormatMaxAndKeepsAGridOfFormatValues() {
    INDArray x = Nd4j.createFromArray(new double[] {0.001, -0.5, 2.0, 0.3});
    INDArray y = ScaledQuantizer.quantize(x, NumberFormat.E4M3, Granularity.TENSOR, 128);
    double s = 2.0 / 448;
    assertEquals(2.0, y.getDouble(2), 1e-12);
    INDArray unscaled = y.div(s);
    assertEquals(unscaled, Quantizer.round(unscaled, NumberFormat.E4M3)); // y / s is on the e4m3 grid
  }

  @Test
  void blockScalesIsolateAnOutlierRow() {
    INDArray x = Nd4j.randn(DataType.FLOAT, 4, 256).muli(1e-3);
    x.putScalar(0, 0, 1e4f); // one outlier in block (0, 0)
    INDArray tensor = ScaledQuantizer.quantize(x, NumberFormat.E4M3, Granularity.TENSOR, 128);
    INDArray rows = ScaledQuantizer.quantize(x, NumberFormat.E4M3, Granularity.ROW_BLOCK, 128);
    INDArray tiles = ScaledQuantizer.quantize(x, NumberFormat.E4M3, Granularity.TILE, 128);
    INDArray rest = x.getRow(1);
    assertTrue(relErr(tensor.getRow(1), rest) > 0.9, "per-tensor scale flushes the small rows");
    assertTrue(relErr(rows.getRow(1), rest) < 0.05, "1x128 blocks keep them: " + relErr(rows.getRow(1), rest) + " tensor " + relErr(tensor.getRow(1), rest));
    // tiles of 128x128 share the outlier's scale across rows 0..3 (only 4 rows: gcd(4,128) = 4)
    assertTrue(relErr(tiles.getRow(1).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128)),
        rest.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128))) > 0.9);
    assertTrue(relErr(tiles.getRow(1).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(128, 256)),
        rest.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(128, 256))) < 0.05);
    assertEquals(4, ScaledQuantizer.blockLength(4, 128));
    assertEquals(32, ScaledQuantizer.blockLength(96, 128));
  }

  @Test
  void nvfp4UsesE4m3BlockScalesAndE2m1Values() {
    Nd4j.getRandom().setSeed(2);
    INDArray x = Nd4j.randn(DataType.FLOAT, 8, 64);
    x.getRow(3).muli(1e-2); // a quiet row keeps its own block scales
    INDArray y = ScaledQuantizer.nvfp4(x);
    double global = x.amaxNumber().doubleValue() / (6 * 448);
    for (int r = 0; r < 8; r++) {
      for (int b = 0; b < 4; b++) {
        INDArray blockX = x.getRow(r).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(16 * b, 16 * b + 16));
        INDArray blockY = y.getRow(r).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(16 * b, 16 * b + 16));
        double sb = Quantizer.round(Nd4j.scalar(blockX.amaxNumber().doubleValue() / 6 / global),
            NumberFormat.E4M3).getDouble(0);
        double[] codes = blockY.div(sb * global).toDoubleVector();
        for (double c : codes) {
          double a = Math.abs(c);
          assertTrue(Arrays.stream(NumberFormat.E2M1.nonNegativeValues()).anyMatch(v -> Math.abs(v - a) < 1e-4),
              "row " + r + " block " + b + ": " + c + " is not an e2m1 value");
        }
      }
    }
    assertTrue(relErr(y, x) < 0.2, "nvfp4 error " + relErr(y, x));
    assertTrue(relErr(y.getRow(3), x.getRow(3)) < 0.2, "quiet row keeps its range");
  }

  /**
   * Scaled quantisation skips the clip (its inputs are within range) and rounds in place: every
   * element must equal a scalar reference (fp32 division by the fp32 scale, round to nearest even
   * on the format's grid in double, saturate, fp32 multiplication), per-tensor and 1 x 32 block
   * scales, e4m3 and e5m2, rows of magnitudes 1e-32 to 1e26 and an all-zero row, inside a step
   * arena as in training.
   */
  @Test
  void scaledRoundingEqualsAScalarReference() {
    Nd4j.getRandom().setSeed(9);
    INDArray x = Nd4j.randn(DataType.FLOAT, 8, 96); // [8, 96]
    for (int r = 0; r < 8; r++) {
      x.getRow(r).muli(Math.pow(10, 8 * (r - 4) + 0.37 * r));
    }
    x.getRow(5).assign(0);
    for (NumberFormat f : new NumberFormat[] {NumberFormat.E4M3, NumberFormat.E5M2}) {
      for (Granularity g : new Granularity[] {Granularity.TENSOR, Granularity.ROW_BLOCK}) {
        for (int r = 0; r < 8; r++) {
          INDArray row = x.getRow(r).reshape(1, 96).dup();
          float[] got;
          try (StepArena arena = StepArena.open("scaled-test")) {
            got = ScaledQuantizer.quantize(row, f, g, 32).toFloatVector();
          }
          float[] in = row.toFloatVector();
          for (int b = 0; b < 96; b += (g == Granularity.TENSOR ? 96 : 32)) {
            int len = g == Granularity.TENSOR ? 96 : 32;
            double amax = 0;
            for (int i = b; i < b + len; i++) {
              amax = Math.max(amax, Math.abs(in[i]));
            }
            float s = g == Granularity.TENSOR ? (float) (amax > 0 ? amax / f.maxValue() : 1.0)
                : Math.max((float) amax / (float) f.maxValue(), Float.MIN_NORMAL);
            for (int i = b; i < b + len; i++) {
              float want = (float) (roundRef(in[i] / s, f) * s);
              assertEquals(want, got[i], 0.0f, f.name() + " " + g + " row " + r + " element " + i);
            }
          }
        }
      }
    }
  }

  /** v rounded to f's grid, half to even, saturating (scalar, double). */
  private static double roundRef(float v, NumberFormat f) {
    double a = Math.min(Math.abs((double) v), f.maxValue());
    double q = Math.scalb(1.0, Math.max(Math.getExponent(a == 0 ? Double.MIN_NORMAL : a), f.minExp()) - f.mantissaBits());
    return Math.copySign(Math.rint(a / q) * q, v);
  }

  private static double relErr(INDArray y, INDArray x) {
    return Transforms.abs(y.sub(x)).sumNumber().doubleValue() / Transforms.abs(x).sumNumber().doubleValue();
  }
}
