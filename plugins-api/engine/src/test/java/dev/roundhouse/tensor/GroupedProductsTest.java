package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link GroupedProducts#linearT}: finite-difference gradients (DOUBLE), and values and gradients
 * against the per-group reference (split, {@link MatOps#linearT} per group, concat) in FLOAT, with
 * fp32 and with bf16 weights.
 */
class GroupedProductsTest {
  private static final int[] OFFSETS = {0, 3, 3, 7, 9}; // four groups, the second empty

  @Test
  void gradientsMatchFiniteDifferences() {
    Nd4j.getRandom().setSeed(7);
    // x feeds the grouped product and a second product: its gradient arrives twice (accumulate path)
    List<INDArray> values = new ArrayList<>(List.of(Nd4j.randn(DataType.DOUBLE, 9, 4)));
    for (int g = 0; g < 4; g++) {
      values.add(Nd4j.randn(DataType.DOUBLE, 5, 4));
    }
    values.add(Nd4j.randn(DataType.DOUBLE, 3, 4));
    var in = GradCheck.leaves(values.toArray(INDArray[]::new));
    GradCheck.Result r = GradCheck.check(p -> {
      Tensor x = p.get(0).mul(1.5); // non-leaf, plain Tensor
      Tensor other = MatOps.linearT(x, p.get(5)); // [9, 3]: x's gradient arrives first from here
      Tensor y = GroupedProducts.linearT(x, OFFSETS, p.subList(1, 5)); // [9, 5]
      return Shapes.concat(1, Pointwise.silu(y), other); // [9, 8]
    }, in, 1e-6);
    assertTrue(r.max() < 1e-6, "relative errors " + r.relativeErrors());
  }

  @Test
  void fp32ValuesAndGradientsEqualThePerGroupProducts() {
    compareWithPerGroup(DataType.FLOAT, 0.0);
  }

  @Test
  void bf16WeightsGiveThePerGroupBf16Products() {
    compareWithPerGroup(DataType.BFLOAT16, 0.0);
  }

  private static void compareWithPerGroup(DataType weightType, double tol) {
    Nd4j.getRandom().setSeed(11);
    int[] offsets = {0, 37, 37, 101, 128};
    INDArray x0 = Nd4j.randn(DataType.FLOAT, 128, 64);
    List<INDArray> w0 = new ArrayList<>();
    for (int g = 0; g < 4; g++) {
      w0.add(Nd4j.randn(DataType.FLOAT, 32, 64));
    }
    INDArray seed = Nd4j.randn(DataType.FLOAT, 128, 32);

    Parameter xa = new Parameter("x", ParamRole.OTHER, x0.dup());
    List<Parameter> wa = params(w0);
    Tensor ya = GroupedProducts.linearT(xa, offsets, weights(wa, weightType));
    ya.backward(seed);

    Parameter xb = new Parameter("x", ParamRole.OTHER, x0.dup());
    List<Parameter> wb = params(w0);
    List<Tensor> wbc = weights(wb, weightType);
    List<Tensor> blocks = Shapes.split(xb, 0, 37, 64, 27); // the empty group has no block
    int[] nonEmpty = {0, 2, 3};
    Tensor[] ys = new Tensor[3];
    for (int i = 0; i < 3; i++) {
      ys[i] = MatOps.linearT(blocks.get(i), wbc.get(nonEmpty[i]));
    }
    Tensor yb = Shapes.concat(0, ys);
    yb.backward(seed);

    assertEquals(DataType.FLOAT, ya.dataType());
    assertClose(yb.data(), ya.data(), tol, "y");
    assertClose(xb.grad(), xa.grad(), tol, "dx");
    for (int g = 0; g < 4; g++) {
      if (g == 1) {
        INDArray empty = wa.get(g).grad();
        assertTrue(empty == null || empty.amaxNumber().doubleValue() == 0, "an empty group's weight gets no gradient");
      } else {
        assertClose(wb.get(g).grad(), wa.get(g).grad(), tol, "dW" + g);
      }
    }
  }

  /**
   * The bf16-mixed routed-expert form: x cast to bf16 once and read by two grouped products (gate
   * and up), so x's gradient arrives twice (the second bf16 input gradient is added into the first
   * in one mixed-type add); output, x's gradient and every weight gradient equal the per-group
   * path (split of the bf16 cast, {@link MatOps#linearT} per group, concat), tolerance 0.
   */
  @Test
  void bf16ActivationSharedByTwoGroupedProductsEqualsThePerGroupPath() {
    Nd4j.getRandom().setSeed(13);
    int[] offsets = {0, 37, 37, 101, 128};
    long[] sizes = {37, 64, 27};
    int[] nonEmpty = {0, 2, 3};
    INDArray x0 = Nd4j.randn(DataType.FLOAT, 128, 64);
    List<INDArray> w0 = new ArrayList<>();
    for (int g = 0; g < 8; g++) {
      w0.add(Nd4j.randn(DataType.FLOAT, 32, 64));
    }
    INDArray seed = Nd4j.randn(DataType.FLOAT, 128, 32);

    Parameter xa = new Parameter("x", ParamRole.OTHER, x0.dup());
    List<Parameter> wa = params(w0);
    List<Tensor> wac = weights(wa, DataType.BFLOAT16);
    Tensor xa16 = Bf16.cast(xa.mul(1.0)); // a plain non-leaf tensor cast once, as the host casts routed rows
    Tensor ya = Elementwise.mul(GroupedProducts.linearT(xa16, offsets, wac.subList(0, 4)),
        GroupedProducts.linearT(xa16, offsets, wac.subList(4, 8)));
    ya.backward(seed);

    Parameter xb = new Parameter("x", ParamRole.OTHER, x0.dup());
    List<Parameter> wb = params(w0);
    List<Tensor> wbc = weights(wb, DataType.BFLOAT16);
    List<Tensor> blocks = Shapes.split(xb.mul(1.0), 0, sizes);
    Tensor[] ys = new Tensor[3];
    for (int i = 0; i < 3; i++) {
      Tensor b16 = Bf16.cast(blocks.get(i)); // per block, as SwiGlu does for one expert
      ys[i] = Elementwise.mul(MatOps.linearT(b16, wbc.get(nonEmpty[i])), MatOps.linearT(b16, wbc.get(4 + nonEmpty[i])));
    }
    Tensor yb = Shapes.concat(0, ys);
    yb.backward(seed);

    assertClose(yb.data(), ya.data(), 0.0, "y");
    assertClose(xb.grad(), xa.grad(), 0.0, "dx");
    assertTrue(xa.grad().amaxNumber().doubleValue() > 0, "x got a gradient");
    for (int g = 0; g < 8; g++) {
      if (g % 4 != 1) {
        assertClose(wb.get(g).grad(), wa.get(g).grad(), 0.0, "dW" + g);
      }
    }
  }

  @Test
  void badOffsetsAndShapesAreRejectedWithAClearMessage() {
    Tensor x = Tensor.constant(Nd4j.zeros(DataType.FLOAT, 6, 4));
    List<Tensor> w = List.of(Tensor.constant(Nd4j.zeros(DataType.FLOAT, 3, 4)),
        Tensor.constant(Nd4j.zeros(DataType.FLOAT, 3, 4)));
    var e1 = assertThrows(IllegalArgumentException.class, () -> GroupedProducts.linearT(x, new int[] {0, 6}, w));
    assertTrue(e1.getMessage().contains("offsets of length groups + 1"), e1.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> GroupedProducts.linearT(x, new int[] {0, 2, 5}, w));
    assertTrue(e2.getMessage().contains("from 0 to the 6 rows"), e2.getMessage());
    var e3 = assertThrows(IllegalArgumentException.class, () -> GroupedProducts.linearT(x, new int[] {0, 4, 3, 6},
        List.of(w.get(0), w.get(1), w.get(0))));
    assertTrue(e3.getMessage().contains("must not decrease"), e3.getMessage());
    var e4 = assertThrows(IllegalArgumentException.class, () -> GroupedProducts.linearT(x, new int[] {0, 2, 6},
        List.of(w.get(0), Tensor.constant(Nd4j.zeros(DataType.FLOAT, 3, 5)))));
    assertTrue(e4.getMessage().contains("weight 1 has shape [3, 5]"), e4.getMessage());
  }

  private static List<Parameter> params(List<INDArray> values) {
    List<Parameter> out = new ArrayList<>();
    for (int g = 0; g < values.size(); g++) {
      out.add(new Parameter("w" + g, ParamRole.OTHER, values.get(g).dup()));
    }
    return out;
  }

  /** The weights as computed with: themselves, or a bf16 cast (gradient straight through to FLOAT). */
  private static List<Tensor> weights(List<Parameter> ps, DataType type) {
    List<Tensor> out = new ArrayList<>();
    for (Parameter p : ps) {
      out.add(type == DataType.BFLOAT16 ? Bf16.cast(p) : p);
    }
    return out;
  }

  private static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
    assertEquals(expected.dataType(), actual.dataType(), what + " dtype");
    assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + " shape");
    double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    assertTrue(diff <= tol * Math.max(1, expected.amaxNumber().doubleValue()), what + ": max |diff| " + diff);
  }
}
