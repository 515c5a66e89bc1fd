package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The semantics F documents: top-k order and ties, gather and indexSelect against naive loops, casts. */
@ExtendWith(DoublePrecision.class)
class FacadeTest {

  /** Columns of row in the documented order: value descending, ties by lower column. */
  private static long[] reference(double[] row, int k) {
    return IntStream.range(0, row.length).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparingInt(i -> i))
        .limit(k).mapToLong(Integer::longValue).toArray();
  }

  /**
   * Values descending and equal to the sorted row's first k; each index points at its value, no index twice;
   * for k <= 8 the indices are exactly the reference order (ties by lower column).
   */
  private static void assertTopK(INDArray x, int k) {
    Select.TopK top = F.topK(Tensor.constant(x), k);
    for (int r = 0; r < x.rows(); r++) {
      double[] row = x.getRow(r).toDoubleVector();
      String where = "row " + r + " " + Arrays.toString(row) + " k " + k;
      long[] want = reference(row, k);
      long[] got = top.indices().getRow(r).toLongVector();
      for (int j = 0; j < k; j++) {
        assertEquals(row[(int) want[j]], top.values().data().getDouble(r, j), 0, where);
      }
      assertEquals(k, Arrays.stream(got).distinct().count(), where + " got " + Arrays.toString(got));
      for (int j = 0; j < k; j++) {
        assertEquals(row[(int) got[j]], top.values().data().getDouble(r, j), 0, where);
      }
      boolean ties = Arrays.stream(row).distinct().count() < row.length;
      if (k <= Select.ITERATIVE_MAX_K || !ties) {
        assertArrayEquals(want, got, where + " got " + Arrays.toString(got));
      }
    }
  }

  @Test
  void topKIsDescendingAndMatchesASort() {
    INDArray x = Nd4j.randn(DataType.DOUBLE, 7, 20);
    assertTopK(x, 1);
    assertTopK(x, 3);
    assertTopK(x, 8);
    assertTopK(x, 12); // the libnd4j path
  }

  @Test
  void topKTiesGoToTheLowerColumnUpToEight() {
    INDArray x = Nd4j.createFromArray(new double[][] {
        {1, 3, 3, 0, 3, 2, 2, 2, 2, 2, 1, 3},
        {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
        {0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0}});
    for (int k : new int[] {2, 3, 5, 8, 9, 11, 12}) {
      assertTopK(x, k);
    }
  }

  /** libnd4j's top_k gets tied values wrong (a column named twice, a tied value lost); topK redoes such calls. */
  @Test
  void topKAboveEightWithTiesIsRightToo() {
    INDArray x = Nd4j.createFromArray(new double[][] {{1, 3, 3, 0, 3, 2, 2, 2, 2, 2, 1, 3}, {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}});
    Select.TopK top = F.topK(Tensor.constant(x), 9);
    assertArrayEquals(new double[] {3, 3, 3, 3, 2, 2, 2, 2, 2}, top.values().data().getRow(0).toDoubleVector(), 0);
    for (int r = 0; r < 2; r++) {
      long[] got = top.indices().getRow(r).toLongVector();
      assertEquals(9, Arrays.stream(got).distinct().count(), Arrays.toString(got));
      for (int j = 0; j < 9; j++) {
        assertEquals(x.getDouble(r, got[j]), top.values().data().getDouble(r, j), 0);
      }
    }
  }

  @Test
  void topKGradientGoesToThePickedEntries() {
    var in = GradCheck.leaves(Nd4j.randn(DataType.DOUBLE, 4, 6));
    assertGrad(GradCheck.check(p -> F.topK(p.get(0), 3).values(), in));
  }

  @Test
  void gatherAlongTheLastAxisPicksPerRow() {
    INDArray probs = Nd4j.randn(DataType.DOUBLE, 5, 6);
    Select.TopK top = F.topK(Tensor.constant(probs), 2);
    Tensor picked = F.gather(Tensor.constant(probs), 1, top.indices());
    assertEquals(0, picked.data().sub(top.values().data()).amaxNumber().doubleValue(), 0);
    Tensor viaNegative = F.gather(Tensor.constant(probs), -1, top.indices());
    assertEquals(0, viaNegative.data().sub(picked.data()).amaxNumber().doubleValue(), 0);
  }

  @Test
  void gatherMatchesANaiveLoopOnAMiddleAxisWithRepeats() {
    INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 4, 3);
    INDArray index = Nd4j.createFromArray(new long[][][] {
        {{3, 0, 3}, {1, 1, 2}, {0, 3, 3}, {2, 2, 2}, {3, 3, 0}},
        {{0, 0, 0}, {1, 2, 3}, {3, 2, 1}, {2, 0, 1}, {1, 1, 1}}}); // [2, 5, 3]: axis 1 may differ in size
    INDArray out = F.gather(Tensor.constant(x), 1, index).data();
    assertArrayEquals(new long[] {2, 5, 3}, out.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 5; j++) {
        for (int l = 0; l < 3; l++) {
          assertEquals(x.getDouble(i, index.getLong(i, j, l), l), out.getDouble(i, j, l), 0);
        }
      }
    }
    var in = GradCheck.leaves(x);
    assertGrad(GradCheck.check(p -> F.gather(p.get(0), 1, index), in));
  }

  @Test
  void gatherAccumulatesTheGradientOfRepeatedPicks() {
    Parameter x = new Parameter("x", ParamRole.OTHER, Nd4j.zeros(DataType.DOUBLE, 1, 4));
    F.sum(F.gather(x, 1, Nd4j.createFromArray(new long[][] {{2, 2, 2, 0}})), false).backward();
    assertArrayEquals(new double[] {1, 0, 3, 0}, x.grad().toDoubleVector(), 0);
  }

  @Test
  void gatherRefusesBadIndices() {
    Tensor x = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3));
    var range = assertThrows(IllegalArgumentException.class, () -> F.gather(x, 1, Nd4j.createFromArray(new long[][] {{3}, {0}})));
    assertTrue(range.getMessage().contains("out of range"), range.getMessage());
    var shape = assertThrows(IllegalArgumentException.class, () -> F.gather(x, 1, Nd4j.createFromArray(new long[][] {{0}})));
    assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
  }

  @Test
  void indexSelectTakesWholeSlicesInOrder() {
    INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 4, 3);
    int[] idx = {3, 0, 3};
    INDArray out = F.indexSelect(Tensor.constant(x), 1, idx).data();
    assertArrayEquals(new long[] {2, 3, 3}, out.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < idx.length; j++) {
        for (int l = 0; l < 3; l++) {
          assertEquals(x.getDouble(i, idx[j], l), out.getDouble(i, j, l), 0);
        }
      }
    }
    var in = GradCheck.leaves(x);
    assertGrad(GradCheck.check(p -> F.indexSelect(p.get(0), 1, idx), in));
    assertGrad(GradCheck.check(p -> F.indexSelect(p.get(0), 0, new int[] {1, 1}), in));
    assertGrad(GradCheck.check(p -> F.indexSelect(p.get(0), -1, new int[] {2, 0}), in));
  }

  @Test
  void castPassesTheGradientBackInTheSourceType() {
    Parameter w = new Parameter("w", ParamRole.OTHER, Nd4j.createFromArray(new float[] {1.5f, -2f, 3.25f}));
    Tensor d = F.cast(w, DataType.DOUBLE);
    assertEquals(DataType.DOUBLE, d.dataType());
    Tensor b = F.cast(w, DataType.BFLOAT16);
    assertEquals(DataType.BFLOAT16, b.dataType());
    assertTrue(F.cast(w, DataType.FLOAT) == w, "a cast to the same type is the tensor itself");
    F.sum(F.scale(d, 2), false).backward();
    assertEquals(DataType.FLOAT, w.grad().dataType());
    assertArrayEquals(new float[] {2, 2, 2}, w.grad().toFloatVector(), 0);
  }
}
