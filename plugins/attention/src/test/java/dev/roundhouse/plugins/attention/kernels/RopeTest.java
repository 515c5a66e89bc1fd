package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.attention.kernels.GradAssert.assertGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(DoublePrecision.class)
class RopeTest {
  static final double THETA = 10000.0;

  /** The documented formula, element by element. x: [B, H, T, hd]. */
  static INDArray naive(INDArray x, int rd, double theta) {
    INDArray out = x.dup('c');
    int half = rd / 2;
    for (int b = 0; b < x.size(0); b++) {
      for (int h = 0; h < x.size(1); h++) {
        for (int t = 0; t < x.size(2); t++) {
          for (int i = 0; i < half; i++) {
            double angle = t * Math.pow(theta, -2.0 * i / rd);
            double x1 = x.getDouble(b, h, t, i);
            double x2 = x.getDouble(b, h, t, i + half);
            out.putScalar(new long[] {b, h, t, i}, x1 * Math.cos(angle) - x2 * Math.sin(angle));
            out.putScalar(new long[] {b, h, t, i + half}, x2 * Math.cos(angle) + x1 * Math.sin(angle));
          }
        }
      }
    }
    return out;
  }

  @Test
  void matchesFormulaFullAndPartial() {
    INDArray x = Nd4j.randn(new long[] {2, 3, 5, 8});
    for (int rd : new int[] {8, 4, 2}) {
      INDArray got = Rope.apply(Tensor.constant(x), Rope.cache(7, 8, rd, THETA, DataType.DOUBLE)).data();
      assertEquals(0, got.sub(naive(x, rd, THETA)).amaxNumber().doubleValue(), 1e-12, "rotaryDims " + rd);
    }
    // partial: dims past rotaryDims pass through unchanged
    INDArray got = Rope.apply(Tensor.constant(x), Rope.cache(5, 8, 4, THETA, DataType.DOUBLE)).data();
    var tail = new org.nd4j.linalg.indexing.INDArrayIndex[] {
      NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, 8)};
    assertEquals(0, got.get(tail).sub(x.get(tail)).amaxNumber().doubleValue(), 0);
  }

  @Test
  void positionZeroIsIdentityAndNormsArePreserved() {
    INDArray x = Nd4j.randn(new long[] {2, 3, 6, 8});
    INDArray out = Rope.apply(Tensor.constant(x), Rope.cache(6, 8, 8, THETA, DataType.DOUBLE)).data();
    var pos0 = new org.nd4j.linalg.indexing.INDArrayIndex[] {
      NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()};
    assertEquals(0, out.get(pos0).sub(x.get(pos0)).amaxNumber().doubleValue(), 1e-15);
    INDArray normsIn = x.norm2(3);
    INDArray normsOut = out.norm2(3);
    assertEquals(0, normsIn.sub(normsOut).amaxNumber().doubleValue(), 1e-12);
    assertTrue(out.sub(x).amaxNumber().doubleValue() > 0.1, "positions > 0 must rotate");
  }

  @Test
  void scoresDependOnRelativePosition() {
    // <rope(q)_m, rope(k)_n> is a function of m - n: shift both by one position, same score
    INDArray q = Nd4j.randn(new long[] {1, 1, 1, 8}).repeat(2, 6);
    INDArray k = Nd4j.randn(new long[] {1, 1, 1, 8}).repeat(2, 6);
    Rope.Cache c = Rope.cache(6, 8, 8, THETA, DataType.DOUBLE);
    INDArray rq = Rope.apply(Tensor.constant(q), c).data();
    INDArray rk = Rope.apply(Tensor.constant(k), c).data();
    double s41 = rq.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.point(4)).mul(
        rk.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.point(1))).sumNumber().doubleValue();
    double s52 = rq.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.point(5)).mul(
        rk.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.point(2))).sumNumber().doubleValue();
    assertEquals(s41, s52, 1e-12);
  }

  @Test
  void gradients() {
    Rope.Cache full = Rope.cache(5, 6, 6, THETA, DataType.DOUBLE);
    Rope.Cache partial = Rope.cache(5, 6, 4, 100.0, DataType.DOUBLE);
    var in = GradCheck.leaves(Nd4j.randn(new long[] {2, 3, 5, 6}));
    assertGrad(GradCheck.check(x -> Rope.apply(x.get(0), full), in));
    assertGrad(GradCheck.check(x -> Rope.apply(x.get(0), partial), in));
    // non-contiguous input: [B, T, H, hd] permuted to [B, H, T, hd], shorter than the cache
    var btHd = GradCheck.leaves(Nd4j.randn(new long[] {2, 4, 3, 6}));
    assertGrad(GradCheck.check(x -> Rope.apply(Shapes.permute(x.get(0), 0, 2, 1, 3), partial), btHd));
    INDArray view = btHd.get(0).data().permute(0, 2, 1, 3);
    INDArray got = Rope.apply(Tensor.constant(view), partial).data();
    assertEquals(0, got.sub(naive(view.dup('c'), 4, 100.0)).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void floatCacheAndValidation() {
    Rope.Cache c = Rope.cache(4, 8, 8, THETA, DataType.FLOAT);
    assertEquals(DataType.FLOAT, c.cos().dataType());
    assertArrayEquals(new long[] {4, 4}, c.sin().shape());
    INDArray xf = Nd4j.randn(DataType.FLOAT, 1, 2, 4, 8);
    assertEquals(DataType.FLOAT, Rope.apply(Tensor.constant(xf), c).dataType());
    assertThrows(IllegalArgumentException.class, () -> Rope.cache(4, 8, 3, THETA, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Rope.cache(4, 8, 10, THETA, DataType.FLOAT));
    var tooLong = Tensor.constant(Nd4j.randn(DataType.FLOAT, 1, 2, 5, 8));
    var e = assertThrows(IllegalArgumentException.class, () -> Rope.apply(tooLong, c));
    assertTrue(e.getMessage().contains("sequence length 5"), e.getMessage());
    INDArray x = Nd4j.randn(new long[] {1, 1, 3, 4});
    Rope.Cache none = Rope.cache(3, 4, 0, THETA, DataType.DOUBLE);
    assertEquals(0, Rope.apply(Tensor.constant(x), none).data().sub(x).amaxNumber().doubleValue(), 0);
  }
}
