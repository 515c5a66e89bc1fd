package dev.roundhouse.plugins.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Exhaustive checks of the emulated formats: round trip, round-to-nearest-even, overflow. */
class QuantizerTest {
  private static final NumberFormat[] SMALL = {NumberFormat.E4M3, NumberFormat.E5M2, NumberFormat.E2M1, NumberFormat.FP16};

  @Test
  void formatTablesHaveTheKnownSizesAndMaxima() {
    assertEquals(127, NumberFormat.E4M3.nonNegativeValues().length); // 128 codes minus NaN
    assertEquals(124, NumberFormat.E5M2.nonNegativeValues().length); // 128 minus inf and 3 NaN
    assertEquals(8, NumberFormat.E2M1.nonNegativeValues().length);
    assertEquals(31744, NumberFormat.FP16.nonNegativeValues().length); // 0x0000..0x7BFF
    assertEquals(448.0, last(NumberFormat.E4M3.nonNegativeValues()));
    assertEquals(57344.0, last(NumberFormat.E5M2.nonNegativeValues()));
    assertEquals(6.0, last(NumberFormat.E2M1.nonNegativeValues()));
    assertEquals(65504.0, last(NumberFormat.FP16.nonNegativeValues()));
    assertEquals(Math.scalb(1.0, -9), NumberFormat.E4M3.minSubnormal());
    assertEquals(Math.scalb(1.0, -16), NumberFormat.E5M2.minSubnormal());
    assertEquals(0.5, NumberFormat.E2M1.minSubnormal());
  }

  @Test
  void everyRepresentableValueRoundTripsInFloatAndDouble() {
    for (NumberFormat f : SMALL) {
      for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        double[] v = signed(f.nonNegativeValues());
        INDArray y = Quantizer.round(Nd4j.createFromArray(v).castTo(dt), f);
        for (int i = 0; i < v.length; i++) {
          assertEquals(v[i], y.getDouble(i), 0.0, f.name() + " " + dt + " value " + v[i]);
        }
      }
    }
  }

  @Test
  void midpointsRoundToEvenAndNeighboursToNearest() {
    for (NumberFormat f : SMALL) {
      double[] v = f.nonNegativeValues();
      int n = v.length - 1;
      double[] in = new double[6 * n];
      double[] want = new double[6 * n];
      for (int i = 0; i < n; i++) {
        double mid = (v[i] + v[i + 1]) / 2;
        double even = i % 2 == 0 ? v[i] : v[i + 1]; // list index parity = mantissa LSB parity
        double eps = (v[i + 1] - v[i]) / 16;
        double[] ins = {mid, -mid, mid - eps, mid + eps, -(mid - eps), -(mid + eps)};
        double[] wants = {even, -even, v[i], v[i + 1], -v[i], -v[i + 1]};
        System.arraycopy(ins, 0, in, 6 * i, 6);
        System.arraycopy(wants, 0, want, 6 * i, 6);
      }
      INDArray y = Quantizer.round(Nd4j.createFromArray(in).castTo(DataType.FLOAT), f);
      for (int i = 0; i < in.length; i++) {
        assertEquals(want[i], y.getDouble(i), 0.0, f.name() + " input " + in[i]);
      }
    }
  }

  @Test
  void saturationAndOverflow() {
    double inf = Double.POSITIVE_INFINITY;
    check(NumberFormat.E4M3, new double[] {464, 1e6, inf, -inf, -500}, new double[] {448, 448, 448, -448, -448});
    check(NumberFormat.E5M2, new double[] {61440, 1e9, inf, -inf}, new double[] {57344, 57344, 57344, -57344});
    check(NumberFormat.E2M1, new double[] {5, 7, 100, -inf, 0.25, 0.26, 2.5, 3.5},
        new double[] {4, 6, 6, -6, 0, 0.5, 2, 4});
    check(NumberFormat.FP16, new double[] {65519, 65520, 1e5, -65520, inf},
        new double[] {65504, inf, inf, -inf, inf});
    // without NaN or infinities in the array the clip takes the scalar min / max path: same values
    check(NumberFormat.E4M3, new double[] {464, 1e6, -1e30, -500, 3}, new double[] {448, 448, -448, -448, 3});
    check(NumberFormat.E2M1, new double[] {5, 7, 100, -7.5, 0.25}, new double[] {4, 6, 6, -6, 0});
    check(NumberFormat.FP16, new double[] {65519, 65520, 1e5, -65520, -1e38}, new double[] {65504, inf, inf, -inf, -inf});
    INDArray nan = Quantizer.round(Nd4j.createFromArray(Float.NaN, 1f, 1e6f, -1e6f), NumberFormat.E4M3);
    assertTrue(Double.isNaN(nan.getDouble(0)));
    assertEquals(448, nan.getDouble(2), 0.0); // NaN elsewhere in the array: ND4J's clip op, still saturating
    assertEquals(-448, nan.getDouble(3), 0.0);
  }

  @Test
  void fp16MatchesIeeeBitPatterns() {
    // every finite half bit pattern decodes (reference decoder) to a value that round-trips
    float[] all = new float[0x7C00 * 2];
    for (int h = 0; h < 0x7C00; h++) {
      all[2 * h] = HalfReference.toFloat((short) h);
      all[2 * h + 1] = HalfReference.toFloat((short) (h | 0x8000));
    }
    INDArray y = Quantizer.round(Nd4j.createFromArray(all), NumberFormat.FP16);
    for (int i = 0; i < all.length; i++) {
      assertEquals(all[i], y.getFloat(i), 0.0f, "half pattern " + Integer.toHexString(i / 2));
    }
    // random floats over the whole half range, subnormals included, against the bit-level converter
    Random r = new Random(3);
    float[] x = new float[200_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(1 + r.nextDouble(), r.nextInt(46) - 30));
    }
    INDArray q = Quantizer.round(Nd4j.createFromArray(x), NumberFormat.FP16);
    for (int i = 0; i < x.length; i++) {
      assertEquals(HalfReference.toFloat(HalfReference.fromFloat(x[i])), q.getFloat(i), 0.0f, "x=" + x[i]);
    }
  }

  @Test
  void bf16MatchesTheUpperHalfOfJavaFloatBitsWithNearestEven() {
    float[] all = new float[0x7F80 * 2];
    for (int h = 0; h < 0x7F80; h++) {
      all[2 * h] = Float.intBitsToFloat(h << 16);
      all[2 * h + 1] = Float.intBitsToFloat((h | 0x8000) << 16);
    }
    INDArray y = Quantizer.round(Nd4j.createFromArray(all), NumberFormat.BF16);
    for (int i = 0; i < all.length; i++) {
      assertEquals(Float.floatToRawIntBits(all[i]), Float.floatToRawIntBits(y.getFloat(i)), "bf16 pattern " + i / 2);
    }
    Random r = new Random(5);
    float[] x = new float[200_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = Float.intBitsToFloat(r.nextInt() & 0x7F7FFFFF | (r.nextBoolean() ? 0x80000000 : 0));
    }
    x[0] = Float.MAX_VALUE; // rounds up past bf16 max: infinity
    INDArray q = Quantizer.round(Nd4j.createFromArray(x), NumberFormat.BF16);
    for (int i = 0; i < x.length; i++) {
      int bits = Float.floatToRawIntBits(x[i]);
      int ref = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
      assertEquals(ref, Float.floatToRawIntBits(q.getFloat(i)), "x=" + x[i]);
    }
  }

  /**
   * FLOAT arrays round by addition ((x + C) - C), DOUBLE arrays by rint(x / q) * q: two independent
   * methods, which must agree on every fp32 input, here 400k random bit patterns (fp32 subnormals,
   * the format's subnormals, its normal range and values beyond max) plus every format midpoint.
   */
  @Test
  void floatAdditionPathEqualsTheRintPathOnRandomBitPatterns() {
    Random r = new Random(11);
    for (NumberFormat f : SMALL) {
      float[] x = new float[400_000];
      for (int i = 0; i < x.length; i++) {
        int exp = f.minExp() - f.mantissaBits() - 4 + r.nextInt(f.maxExp() - f.minExp() + f.mantissaBits() + 8);
        int bits = r.nextInt(8) == 0 ? r.nextInt() & 0x807FFFFF // fp32 zero and subnormals
            : (r.nextInt() & 0x807FFFFF) | ((exp + 127) << 23);
        x[i] = Float.intBitsToFloat(bits);
      }
      double[] v = f.nonNegativeValues();
      for (int i = 0; i + 1 < v.length && i < x.length / 2; i++) {
        x[2 * i] = (float) ((v[i] + v[i + 1]) / 2); // ties: to even
        x[2 * i + 1] = -x[2 * i];
      }
      float[] byAddition = Quantizer.round(Nd4j.createFromArray(x), f).toFloatVector();
      double[] byRint = Quantizer.round(Nd4j.createFromArray(x).castTo(DataType.DOUBLE), f).toDoubleVector();
      for (int i = 0; i < x.length; i++) {
        assertEquals((float) byRint[i], byAddition[i], 0.0f, f.name() + " x=" + x[i]);
      }
    }
  }

  private static void check(NumberFormat f, double[] in, double[] want) {
    INDArray y = Quantizer.round(Nd4j.createFromArray(in).castTo(DataType.FLOAT), f);
    for (int i = 0; i < in.length; i++) {
      assertEquals(want[i], y.getDouble(i), 0.0, f.name() + " input " + in[i]);
    }
  }

  private static double[] signed(double[] v) {
    double[] out = new double[2 * v.length];
    for (int i = 0; i < v.length; i++) {
      out[2 * i] = v[i];
      out[2 * i + 1] = -v[i];
    }
    return out;
  }

  private static double last(double[] v) {
    return v[v.length - 1];
  }
}
