package dev.roundhouse.plugins.precision;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Floor;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Rounds FLOAT or DOUBLE arrays to the values of a {@link NumberFormat}, exactly, with
 * round-to-nearest-even, subnormals, and the format's overflow rule; NaN stays NaN. Whole-array
 * ND4J ops only (about fifteen per call), no per-element Java loops.
 *
 * <p>Method, per element: e = floor(log2 |x|) (corrected by one binade where the log is off near a
 * power of two), clamped below at minExp; quantum q = 2^(e - mantissaBits); y = rint(x / q) * q.
 * Division and multiplication by a power of two are exact in fp32/fp64 for every format here, and
 * rint rounds half to even. Overflow is applied last: saturating formats clip to +-max, others turn
 * results beyond max into +-infinity.
 *
 * <p>Allocates its result and temporaries in the current workspace (a step arena inside a step).
 */
public final class Quantizer {
  private static final double LN2 = Math.log(2);

  private Quantizer() {}

  /** A new array of x's shape and dtype holding x rounded to {@code f}. */
  public static INDArray round(INDArray x, NumberFormat f) {
    DataType dt = x.dataType();
    if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
      throw new IllegalArgumentException("quantize to " + f.name() + ": needs FLOAT or DOUBLE, got " + dt);
    }
    // Bound the input so no step below overflows: saturating formats clip to max (every larger value
    // maps to max), IEEE formats to the next binade 2^(maxExp+1), which rounds to a value > max.
    double bound = f.saturating() ? f.maxValue() : Math.scalb(1.0, f.maxExp() + 1);
    if (dt == DataType.FLOAT) {
      bound = Math.min(bound, Float.MAX_VALUE);
    }
    INDArray y = x.dup();
    BooleanIndexing.replaceWhere(y, bound, Conditions.greaterThan(bound));
    BooleanIndexing.replaceWhere(y, -bound, Conditions.lessThan(-bound));
    INDArray a = Transforms.abs(y, true); // |x|
    INDArray e = Nd4j.exec(new Log(a.dup())).divi(LN2); // log2|x|, -inf at 0
    Nd4j.exec(new Floor(e, e));
    Transforms.max(e, f.minExp(), false); // clamp: subnormals share the smallest binade's quantum
    INDArray two = Nd4j.valueArrayOf(e.shape(), 2.0, dt);
    INDArray p = Transforms.pow(two, e, true); // 2^e, exact for integral e
    // correct e by one binade where log2 rounded across a power of two
    INDArray up = a.sub(p.mul(2)).gte(0).castTo(dt); // |x| >= 2^(e+1)
    INDArray down = a.sub(p).lt(0).castTo(dt).muli(e.gt(f.minExp()).castTo(dt)); // |x| < 2^e above the subnormal range
    e.addi(up).subi(down);
    INDArray q = Transforms.pow(two, e.subi(f.mantissaBits()), false); // quantum 2^(e - m)
    y.divi(q);
    Nd4j.exec(new Rint(y, y));
    y.muli(q);
    if (f.saturating()) {
      BooleanIndexing.replaceWhere(y, f.maxValue(), Conditions.greaterThan(f.maxValue()));
      BooleanIndexing.replaceWhere(y, -f.maxValue(), Conditions.lessThan(-f.maxValue()));
    } else {
      BooleanIndexing.replaceWhere(y, Double.POSITIVE_INFINITY, Conditions.greaterThan(f.maxValue()));
      BooleanIndexing.replaceWhere(y, Double.NEGATIVE_INFINITY, Conditions.lessThan(-f.maxValue()));
    }
    return y;
  }
}
