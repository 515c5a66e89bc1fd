package dev.roundhouse.plugins.precision;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.BitCast;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.transforms.clip.ClipByValue;
import org.nd4j.linalg.api.ops.impl.transforms.custom.BitwiseAnd;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Rounds FLOAT or DOUBLE arrays to the values of a {@link NumberFormat}, exactly, with
 * round-to-nearest-even, subnormals, and the format's overflow rule; NaN stays NaN. Whole-array
 * ND4J ops only, no per-element Java loops.
 *
 * <p>Method, per element: clip x to +-bound (below); b = 2^floor(log2 |x|), read exactly from the
 * exponent bits (x's bits AND the exponent mask, reinterpreted as a float: 0 for zero and for
 * subnormals of the storage type); clamped below at 2^minExp (subnormals of the format share the
 * smallest binade's quantum); quantum q = b * 2^-mantissaBits. Then, for FLOAT arrays and every
 * format but bf16 (five passes after the clip): with C = 1.5 * 2^23 * q, y = (x + C) - C. x + C lies
 * in C's binade, whose spacing is q, so the fp32 addition rounds x to a multiple of q, half to even
 * (C / q is even), and the subtraction is exact. For DOUBLE arrays and bf16 (whose C would overflow
 * fp32), y = rint(x / q) * q (division and multiplication by a power of two are exact, rint rounds
 * half to even). NaN has an all-ones exponent, so b = inf and y = NaN. A result that rounds to zero
 * is +0 on the addition path.
 *
 * <p>Overflow: a saturating format's input is clipped to +-max first, and rounding a value of at
 * most max in magnitude never exceeds max (max is representable), so no second clip is needed.
 * IEEE formats are clipped to the next binade 2^(maxExp+1) (no step overflows the storage type),
 * and results beyond max become +-infinity ({@link #overflowToInfinity}). The clip is a sum (to
 * find NaN or infinities) and two scalar min / max passes, or ND4J's slower clip op when the input
 * holds NaN or infinities ({@link #clip}); {@link #roundWithinRange} skips it for inputs known to
 * lie within range.
 *
 * <p>Allocates its result and temporaries in the current workspace (a step arena inside a step).
 */
public final class Quantizer {
  private static final int FLOAT_EXPONENT_MASK = 0x7F800000;
  private static final long DOUBLE_EXPONENT_MASK = 0x7FF0000000000000L;

  private Quantizer() {}

  /** A new array of x's shape and dtype holding x rounded to {@code f}. */
  public static INDArray round(INDArray x, NumberFormat f) {
    DataType dt = x.dataType();
    if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
      throw new IllegalArgumentException("quantize to " + f.name() + ": needs FLOAT or DOUBLE, got " + dt);
    }
    double bound = f.saturating() ? f.maxValue() : Math.scalb(1.0, f.maxExp() + 1);
    if (dt == DataType.FLOAT) {
      bound = Math.min(bound, Float.MAX_VALUE);
    }
    INDArray y = clip(x, bound);
    if (byAddition(dt, f)) {
      roundByAddition(y, f);
    } else {
      INDArray q = binade(y); // 2^floor(log2|y|), 0 at 0
      Transforms.max(q, Math.scalb(1.0, f.minExp()), false);
      q.muli(Math.scalb(1.0, -f.mantissaBits())); // quantum 2^(e - m)
      y.divi(q);
      Nd4j.exec(new Rint(y, y));
      y.muli(q);
    }
    if (!f.saturating()) {
      overflowToInfinity(y, f);
    }
    return y;
  }

  /**
   * x clipped to [-bound, bound] into a new dense array; NaN stays NaN. When x holds no NaN and no
   * infinity (its sum is finite: both propagate through a sum), two scalar min / max passes do it
   * (they would turn NaN into a bound); otherwise ND4J's clip op, which keeps NaN but costs as much
   * as eight such passes.
   */
  private static INDArray clip(INDArray x, double bound) {
    INDArray y = Nd4j.createUninitialized(x.dataType(), x.shape());
    if (Double.isFinite(x.sumNumber().doubleValue())) {
      Nd4j.exec(new ScalarMin(x, null, y, bound));
      Nd4j.exec(new ScalarMax(y, null, y, -bound));
    } else {
      ClipByValue clip = new ClipByValue(x, -bound, bound); // NaN passes through
      clip.addOutputArgument(y);
      Nd4j.exec(clip);
    }
    return y;
  }

  /**
   * IEEE overflow: after clipping to 2^(maxExp+1) and rounding, every value beyond max is exactly
   * +-2^(maxExp+1) (the grid's next value). Multiplying by 2^k, k = (storage type's largest
   * exponent) - maxExp, sends exactly those to +-infinity and keeps the rest finite; multiplying
   * back by 2^-k is exact for them (they are format values, far from the storage type's
   * subnormals). Two cheap passes (a conditional replace cost eight times as much); k = 0 for bf16
   * in FLOAT, where the rounding itself already overflows to infinity.
   */
  private static void overflowToInfinity(INDArray y, NumberFormat f) {
    int k = (y.dataType() == DataType.FLOAT ? 127 : 1023) - f.maxExp();
    if (k > 0) {
      y.muli(Math.scalb(1.0, k)).muli(Math.scalb(1.0, -k));
    }
  }

  /**
   * {@link #round} without the clip, for v whose elements are NaN or at most the saturating
   * format's max times (1 + 2^-20) in magnitude (values a finite scale was divided into, see
   * {@link ScaledQuantizer}); such values are inside the clip's bound (or round to max when a
   * division overshot max by an fp32 rounding), so the result equals {@code round(v, f)} (zeros
   * may carry the other sign). May round v in place and return it; otherwise returns a new array.
   */
  public static INDArray roundWithinRange(INDArray v, NumberFormat f) {
    if (!f.saturating() || !byAddition(v.dataType(), f) || v.isView() || v.ordering() != 'c') {
      return round(v, f);
    }
    roundByAddition(v, f);
    return v;
  }

  /** The addition path is exact when C = 1.5 * 2^(23 + e - m) is finite for the top binade e. */
  private static boolean byAddition(DataType dt, NumberFormat f) {
    return dt == DataType.FLOAT && f.maxExp() + 1 + 23 - f.mantissaBits() <= 126;
  }

  /** y (FLOAT, dense c-order, |y| at most 2^(maxExp+1), or NaN) rounded to f in place: y = (y + C) - C. */
  private static void roundByAddition(INDArray y, NumberFormat f) {
    INDArray c = Nd4j.createUninitialized(DataType.FLOAT, y.shape());
    Nd4j.exec(new BitwiseAnd(bitsOf(y), Nd4j.scalar(FLOAT_EXPONENT_MASK), bitsOf(c))); // 2^floor(log2|y|), 0 at 0
    Transforms.max(c, Math.scalb(1.0, f.minExp()), false); // the format's subnormals: the smallest binade's quantum
    c.muli(1.5 * Math.scalb(1.0, 23 - f.mantissaBits())); // C = 1.5 * 2^23 * quantum
    y.addi(c).subi(c);
  }

  /** x's memory (FLOAT, dense, not a view) as an INT32 array of the same shape: no copy. */
  private static INDArray bitsOf(INDArray x) {
    IntPointer p = new IntPointer(x.data().addressPointer());
    p.capacity(x.length());
    DataBuffer bits = Nd4j.createBuffer(p, DataType.INT32, x.length(), IntIndexer.create(p));
    return Nd4j.create(bits, x.shape(), x.stride(), 0, 'c', DataType.INT32);
  }

  /**
   * |x| with its fraction bits cleared: 2^floor(log2|x|) for normal x, 0 for zero and subnormals
   * of x's storage type, inf for inf and NaN. Three passes (reinterpret, AND, reinterpret).
   */
  static INDArray binade(INDArray x) {
    boolean single = x.dataType() == DataType.FLOAT;
    DataType bitsType = single ? DataType.INT32 : DataType.INT64;
    INDArray bits = Nd4j.createUninitialized(bitsType, x.shape());
    Nd4j.exec(new BitCast(x, bitsType, bits));
    INDArray mask = single ? Nd4j.scalar(FLOAT_EXPONENT_MASK) : Nd4j.scalar(DOUBLE_EXPONENT_MASK);
    Nd4j.exec(new BitwiseAnd(bits, mask, bits));
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
    Nd4j.exec(new BitCast(bits, x.dataType(), out));
    return out;
  }
}
