package dev.roundhouse.plugins.precision;

/** Scalar IEEE binary16 reference (bit-level, round-to-nearest-even), independent of the quantiser. */
final class HalfReference {
  private HalfReference() {}

  static float toFloat(short h) {
    int sign = (h >> 15) & 1;
    int exp = (h >> 10) & 0x1F;
    int frac = h & 0x3FF;
    double mag;
    if (exp == 0) {
      mag = Math.scalb((double) frac, -24);
    } else if (exp == 31) {
      mag = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else {
      mag = Math.scalb(1024.0 + frac, exp - 25);
    }
    return (float) (sign == 1 ? -mag : mag);
  }

  /** Float to half bits with round-to-nearest-even on the integer significand. */
  static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = ((bits >>> 23) & 0xFF) - 127;
    int mant = (bits & 0x7FFFFF) | 0x800000; // 24-bit significand (normal floats only here)
    if (exp > 15) {
      return (short) (sign | 0x7C00);
    }
    int shift = exp >= -14 ? 13 : 13 + (-14 - exp); // drop bits to reach 10 fraction bits (or subnormal)
    if (shift > 24) {
      return (short) sign;
    }
    int kept = mant >>> shift;
    int rem = mant & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rem > half || (rem == half && (kept & 1) == 1)) {
      kept++;
    }
    int out;
    if (exp >= -14) {
      out = ((exp + 15) << 10) + (kept - 0x400); // kept includes the implicit bit; a carry bumps the exponent
    } else {
      out = kept; // subnormal; a carry into 0x400 is the smallest normal, encoded the same way
    }
    if (out >= 0x7C00) {
      out = 0x7C00;
    }
    return (short) (sign | out);
  }
}
