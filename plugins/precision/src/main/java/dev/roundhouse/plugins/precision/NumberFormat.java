package dev.roundhouse.plugins.precision;

/**
 * A binary floating-point format to emulate: sign, {@code mantissaBits} explicit fraction bits,
 * normal exponents from {@code minExp} up, largest finite magnitude {@code maxValue}. Values below
 * 2^minExp are subnormal with the fixed quantum 2^(minExp - mantissaBits).
 *
 * @param saturating true: values beyond maxValue (infinities included) become +-maxValue (the fp8 /
 *     fp4 "satfinite" conversions); false: IEEE overflow, values that round beyond maxValue become
 *     +-infinity (fp16, bf16)
 */
public record NumberFormat(String name, int mantissaBits, int minExp, double maxValue, boolean saturating) {
  /** bfloat16: 8 exponent bits, 7 fraction bits, max 3.3895314e38, IEEE overflow. */
  public static final NumberFormat BF16 = new NumberFormat("bf16", 7, -126, 0x1.FEp127, false);
  /** IEEE binary16: 5 exponent bits, 10 fraction bits, max 65504, IEEE overflow. */
  public static final NumberFormat FP16 = new NumberFormat("fp16", 10, -14, 65504.0, false);
  /** OCP fp8 E4M3 (the "fn" variant: no infinities): max 448, saturating. */
  public static final NumberFormat E4M3 = new NumberFormat("e4m3", 3, -6, 448.0, true);
  /** OCP fp8 E5M2: max 57344, saturating. */
  public static final NumberFormat E5M2 = new NumberFormat("e5m2", 2, -14, 57344.0, true);
  /** OCP fp4 E2M1: values 0, 0.5, 1, 1.5, 2, 3, 4, 6; saturating. */
  public static final NumberFormat E2M1 = new NumberFormat("e2m1", 1, 0, 6.0, true);

  /** The exponent of the largest binade (maxValue lies in [2^maxExp, 2^(maxExp+1))). */
  public int maxExp() {
    return Math.getExponent(maxValue);
  }

  /** The smallest positive (subnormal) value. */
  public double minSubnormal() {
    return Math.scalb(1.0, minExp - mantissaBits);
  }

  /** Every non-negative finite value of the format in increasing order (for tests and docs). */
  public double[] nonNegativeValues() {
    int perBinade = 1 << mantissaBits;
    java.util.List<Double> out = new java.util.ArrayList<>();
    for (int i = 0; i < perBinade; i++) {
      out.add(i * minSubnormal()); // zero and subnormals
    }
    for (int e = minExp; e <= maxExp(); e++) {
      for (int i = 0; i < perBinade; i++) {
        double v = Math.scalb(1.0 + (double) i / perBinade, e);
        if (v <= maxValue) {
          out.add(v);
        }
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
