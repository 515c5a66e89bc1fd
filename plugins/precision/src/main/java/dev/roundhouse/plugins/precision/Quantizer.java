package dev.roundhouse.plugins.precision;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.BitCast;
import org.nd4j.linalg.api.ops.impl.transforms.clip.ClipByValue;
import org.nd4j.linalg.api.ops.impl.transforms.custom.BitwiseAnd;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Rounds FLOAT or DOUBLE arrays to the values of a {@link NumberFormat}, exactly, with
 * round-to-nearest-even, subnormals, and the format's overflow rule; NaN stays NaN. Whole-array
 * ND4J ops only (nine passes for a saturating format, eleven for an IEEE one), no per-element Java
 * loops.
 *
 * <p>Method, per element: clip x to +-bound (below); b = 2^floor(log2 |x|), read exactly from the
 * exponent bits (x's bits AND the exponent mask, reinterpreted as a float: 0 for zero and for
 * subnormals of the storage type); clamped below at 2^minExp (subnormals of the format share the
 * smallest binade's quantum); quantum q = b * 2^-mantissaBits; y = rint(x / q) * q. Division and
 * multiplication by a power of two are exact in fp32/fp64 for every format here, and rint rounds
 * half to even. NaN has an all-ones exponent, so b = inf and y = NaN.
 *
 * <p>Overflow: a saturating format's input is clipped to +-max first, and rounding a value of at
 * most max in magnitude never exceeds max (max is representable), so no second clip is needed.
 * IEEE formats are clipped to the next binade 2^(maxExp+1) (no step overflows the storage type),
 * and results beyond max become +-infinity.
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
    INDArray y = Nd4j.createUninitialized(dt, x.shape());
    ClipByValue clip = new ClipByValue(x, -bound, bound); // NaN passes through
    clip.addOutputArgument(y);
    Nd4j.exec(clip);
    INDArray q = binade(y); // 2^floor(log2|y|), 0 at 0
    Transforms.max(q, Math.scalb(1.0, f.minExp()), false);
    q.muli(Math.scalb(1.0, -f.mantissaBits())); // quantum 2^(e - m)
    y.divi(q);
    Nd4j.exec(new Rint(y, y));
    y.muli(q);
    if (!f.saturating()) {
      BooleanIndexing.replaceWhere(y, Double.POSITIVE_INFINITY, Conditions.greaterThan(f.maxValue()));
      BooleanIndexing.replaceWhere(y, Double.NEGATIVE_INFINITY, Conditions.lessThan(-f.maxValue()));
    }
    return y;
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
