package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class IndexTest {
  static final int[] DUP_IDX = {3, 0, 3, 1, 3, 0};

  @Test
  void gatherPicksRows() {
    INDArray x = Nd4j.randn(4, 3);
    INDArray out = Index.gatherRows(Tensor.constant(x), DUP_IDX).data();
    assertArrayEquals(new long[] {6, 3}, out.shape());
    for (int m = 0; m < DUP_IDX.length; m++) {
      assertEquals(0, out.getRow(m).sub(x.getRow(DUP_IDX[m])).amaxNumber().doubleValue(), 0);
    }
  }

  @Test
  void scatterAddAccumulatesDuplicates() {
    INDArray src = Nd4j.randn(6, 3);
    INDArray out = Index.scatterAddRows(Tensor.constant(src), DUP_IDX, 5).data();
    assertArrayEquals(new long[] {5, 3}, out.shape());
    INDArray expected = Nd4j.zeros(DataType.DOUBLE, 5, 3);
    for (int m = 0; m < DUP_IDX.length; m++) {
      expected.getRow(DUP_IDX[m]).addi(src.getRow(m));
    }
    assertEquals(0, out.sub(expected).amaxNumber().doubleValue(), 1e-12);
    assertEquals(0, out.getRow(2).amaxNumber().doubleValue(), 0); // never indexed
    assertEquals(0, out.getRow(4).amaxNumber().doubleValue(), 0);
  }

  @Test
  void scatterAddOfManyDuplicatesInFloat() {
    int m = 20000;
    int[] idx = new int[m];
    for (int i = 0; i < m; i++) {
      idx[i] = i % 4;
    }
    INDArray out = Index.scatterAddRows(Tensor.constant(Nd4j.ones(DataType.FLOAT, m, 8)), idx, 4).data();
    assertEquals(DataType.FLOAT, out.dataType());
    assertEquals(m / 4.0, out.minNumber().doubleValue(), 0);
    assertEquals(m / 4.0, out.maxNumber().doubleValue(), 0);
  }

  @Test
  void regularIndicesTakeTheGatherPathAndAgreeWithSegmentSum() {
    int[] twice = {2, 0, 3, 1, 0, 2, 1, 3}; // every row of [0, 4) exactly twice (top-2 routing)
    int[] perm = {3, 0, 2, 1}; // a permutation: every row once
    assertArrayEquals(new int[] {1, 3, 0, 2, 4, 6, 5, 7}, Index.regularSlots(twice, 4));
    assertEquals(null, Index.regularSlots(DUP_IDX, 4));
    assertEquals(null, Index.regularSlots(new int[] {0, 0, 1, 2}, 4)); // row 3 never named
    INDArray src = Nd4j.randn(8, 3);
    INDArray fast = Index.scatterAddRows(Tensor.constant(src), twice, 4).data();
    assertEquals(0, fast.sub(Index.scatterAdd(src, twice, 4)).amaxNumber().doubleValue(), 1e-12);
    INDArray p = Nd4j.randn(4, 3);
    INDArray permuted = Index.scatterAddRows(Tensor.constant(p), perm, 4).data();
    for (int m = 0; m < perm.length; m++) {
      assertEquals(0, permuted.getRow(perm[m]).sub(p.getRow(m)).amaxNumber().doubleValue(), 0);
    }
    var in = GradCheck.leaves(Nd4j.randn(4, 3), Nd4j.randn(8, 3));
    assertGrad(GradCheck.check(x -> Index.gatherRows(x.get(0), twice), in.subList(0, 1)));
    assertGrad(GradCheck.check(x -> Index.gatherRows(x.get(0), perm), in.subList(0, 1)));
    assertGrad(GradCheck.check(x -> Index.scatterAddRows(x.get(0), twice, 4), in.subList(1, 2)));
    var t = GradCheck.leaves(Nd4j.randn(3, 4));
    assertGrad(GradCheck.check(
        x -> Index.scatterAddRows(Index.gatherRows(Shapes.transpose(x.get(0), 0, 1), twice), twice, 4), t));
  }

  @Test
  void nonContiguousInputs() {
    INDArray base = Nd4j.randn(3, 6);
    INDArray xT = base.transpose(); // [6, 3] view
    INDArray gathered = Index.gatherRows(Tensor.constant(xT), DUP_IDX).data();
    INDArray scattered = Index.scatterAddRows(Tensor.constant(xT), DUP_IDX, 4).data();
    INDArray dense = xT.dup('c');
    assertEquals(0, gathered.sub(Index.gather(dense, DUP_IDX)).amaxNumber().doubleValue(), 0);
    assertEquals(0, scattered.sub(Index.scatterAdd(dense, DUP_IDX, 4)).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void gradients() {
    var in = GradCheck.leaves(Nd4j.randn(4, 3), Nd4j.randn(6, 3));
    assertGrad(GradCheck.check(x -> Index.gatherRows(x.get(0), DUP_IDX), in.subList(0, 1)));
    assertGrad(GradCheck.check(x -> Index.scatterAddRows(x.get(0), DUP_IDX, 5), in.subList(1, 2)));
    // through a transposed (non-contiguous) view, composed both ways
    var t = GradCheck.leaves(Nd4j.randn(3, 6));
    assertGrad(GradCheck.check(
        x -> Index.scatterAddRows(Index.gatherRows(Shapes.transpose(x.get(0), 0, 1), DUP_IDX), DUP_IDX, 4), t));
  }

  @Test
  void emptyIndexAndBadIndex() {
    Tensor x = Tensor.constant(Nd4j.randn(4, 3));
    assertArrayEquals(new long[] {0, 3}, Index.gatherRows(x, new int[0]).shape());
    INDArray none = Index.scatterAddRows(Tensor.constant(Nd4j.create(DataType.DOUBLE, 0, 3)), new int[0], 2).data();
    assertEquals(0, none.amaxNumber().doubleValue(), 0);
    var e = assertThrows(IllegalArgumentException.class, () -> Index.gatherRows(x, new int[] {0, 4}));
    assertEquals("gatherRows: idx[1] = 4 is outside [0, 4)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Index.scatterAddRows(x, new int[] {0, 1}, 3));
    assertThrows(IllegalArgumentException.class, () -> Index.scatterAddRows(x, new int[] {0, 1, 2, -1}, 3));
  }
}
