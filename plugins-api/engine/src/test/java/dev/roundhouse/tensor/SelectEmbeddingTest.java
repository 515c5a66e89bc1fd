package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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

@ExtendWith(DoublePrecision.class)
class SelectEmbeddingTest {
  @Test
  void topKIndicesEqualASort() {
    INDArray x = Nd4j.randn(6, 8);
    Select.TopK tk = Select.topK(Tensor.constant(x), 3);
    assertEquals(DataType.LONG, tk.indices().dataType());
    assertArrayEquals(new long[] {6, 3}, tk.indices().shape());
    for (int n = 0; n < 6; n++) {
      final int row = n;
      Integer[] order = IntStream.range(0, 8).boxed().toArray(Integer[]::new);
      Arrays.sort(order, Comparator.comparingDouble((Integer e) -> x.getDouble(row, e)).reversed());
      for (int j = 0; j < 3; j++) {
        assertEquals(order[j].longValue(), tk.indices().getLong(n, j), "row " + n + " rank " + j);
        assertEquals(x.getDouble(n, order[j]), tk.values().data().getDouble(n, j), 0);
      }
    }
  }

  @Test
  void topKLargeKAndRowsWithTooFewFiniteEntries() {
    INDArray x = Nd4j.randn(3, 10);
    Select.TopK tk = Select.topK(Tensor.constant(x), 9); // above the iterative limit: libnd4j top_k
    for (int n = 0; n < 3; n++) {
      double prev = Double.POSITIVE_INFINITY;
      for (int j = 0; j < 9; j++) {
        double v = tk.values().data().getDouble(n, j);
        assertEquals(x.getDouble(n, tk.indices().getLong(n, j)), v, 0);
        assertTrue(v <= prev);
        prev = v;
      }
    }
    double inf = Double.NEGATIVE_INFINITY;
    INDArray y = Nd4j.createFromArray(new double[][] {{5, inf, inf}, {1, 2, 3}});
    Select.TopK t2 = Select.topK(Tensor.constant(y), 2); // row 0: second argmax round repeats column 0
    assertEquals(0, t2.indices().getLong(0, 0));
    assertNotEquals(0, t2.indices().getLong(0, 1));
    assertEquals(inf, t2.values().data().getDouble(0, 1), 0);
    assertArrayEquals(new long[] {2, 1}, t2.indices().getRow(1).toLongVector());
    assertArrayEquals(new double[] {3, 2}, t2.values().data().getRow(1).toDoubleVector(), 0);
  }

  @Test
  void topKGradient() {
    var in = GradCheck.leaves(Nd4j.randn(4, 6), Nd4j.randn(1, 6));
    assertGrad(GradCheck.check(x -> Select.topK(x.get(0), 2).values(), in.subList(0, 1)));
    assertGrad(GradCheck.check(x -> Select.topK(x.get(0).mul(x.get(1)), 3).values(), in));
    var inT = GradCheck.leaves(Nd4j.randn(6, 4));
    assertGrad(GradCheck.check(x -> Select.topK(Shapes.transpose(x.get(0), 0, 1), 2).values(), inT));
    assertThrows(IllegalArgumentException.class, () -> Select.topK(in.get(0), 7));
  }

  @Test
  void whereAndMaskedFill() {
    INDArray mask = Nd4j.createFromArray(new boolean[][] {{true, false, true, false}});
    var in = GradCheck.leaves(Nd4j.randn(3, 4), Nd4j.randn(3, 1));
    Tensor w = Select.where(mask, Tensor.constant(in.get(0).data()), Tensor.constant(in.get(1).data()));
    assertEquals(in.get(0).data().getDouble(2, 2), w.data().getDouble(2, 2), 0);
    assertEquals(in.get(1).data().getDouble(2, 0), w.data().getDouble(2, 3), 0);
    assertGrad(GradCheck.check(x -> Select.where(mask, x.get(0), x.get(1)), in));
    INDArray mask01 = Nd4j.createFromArray(new double[][] {{0, 1, 1, 0}, {1, 0, 0, 0}, {0, 0, 0, 1}});
    assertGrad(GradCheck.check(x -> Select.where(mask01, Shapes.transpose(x.get(0), 0, 1),
        Pointwise.exp(Shapes.transpose(x.get(0), 0, 1))), GradCheck.leaves(Nd4j.randn(4, 3))));

    INDArray causal = Nd4j.createFromArray(new boolean[][] {{false, true, true}, {false, false, true}, {false, false, false}});
    INDArray scores = Nd4j.randn(new long[] {2, 3, 3});
    Tensor filled = Select.maskedFill(Tensor.constant(scores), causal, Double.NEGATIVE_INFINITY);
    assertEquals(Double.NEGATIVE_INFINITY, filled.data().getDouble(1, 0, 2), 0);
    assertEquals(scores.getDouble(1, 2, 1), filled.data().getDouble(1, 2, 1), 0);
    INDArray probs = Softmax.softmax(filled, 2).data();
    assertEquals(1.0, probs.getDouble(0, 0, 0), 1e-12);
    var inS = GradCheck.leaves(scores);
    assertGrad(GradCheck.check(x -> Softmax.softmax(Select.maskedFill(x.get(0), causal, Double.NEGATIVE_INFINITY), 2), inS));
    assertGrad(GradCheck.check(x -> Select.maskedFill(Shapes.transpose(x.get(0), 1, 2), causal, 3.0), inS));
  }

  @Test
  void embeddingLookupWithDuplicateIds() {
    INDArray table = Nd4j.randn(5, 3);
    int[] ids = {4, 1, 4, 0, 4};
    Tensor out = Embedding.lookup(Tensor.constant(table), ids);
    assertArrayEquals(new long[] {5, 3}, out.shape());
    for (int i = 0; i < ids.length; i++) {
      assertEquals(0, out.data().getRow(i).sub(table.getRow(ids[i])).amaxNumber().doubleValue(), 0);
    }
    var p = GradCheck.leaves(table).get(0);
    INDArray g = Nd4j.randn(5, 3);
    Embedding.lookup(p, ids).backward(g);
    INDArray expected4 = g.getRow(0).add(g.getRow(2)).add(g.getRow(4));
    assertEquals(0, p.grad().getRow(4).sub(expected4).amaxNumber().doubleValue(), 1e-12);
    assertEquals(0, p.grad().getRow(1).sub(g.getRow(1)).amaxNumber().doubleValue(), 1e-12);
    assertEquals(0, p.grad().getRow(2).amaxNumber().doubleValue(), 0);
    assertEquals(0, p.grad().getRow(3).amaxNumber().doubleValue(), 0);
    assertGrad(GradCheck.check(x -> Embedding.lookup(x.get(0), ids), GradCheck.leaves(table)));
    var inT = GradCheck.leaves(Nd4j.randn(3, 5), Nd4j.randn(1, 3));
    assertGrad(GradCheck.check(x -> Embedding.lookup(Shapes.transpose(x.get(0), 0, 1), ids).mul(x.get(1)), inT));
    assertThrows(IllegalArgumentException.class, () -> Embedding.lookup(Tensor.constant(table), new int[] {5}));
  }

  @Test
  void dropoutIsSeededAndInverted() {
    Tensor x = Tensor.constant(Nd4j.ones(50, 40));
    INDArray a = Dropout.dropout(x, 0.25, 7).data();
    INDArray b = Dropout.dropout(x, 0.25, 7).data();
    INDArray c = Dropout.dropout(x, 0.25, 8).data();
    assertEquals(a, b);
    assertNotEquals(a, c);
    double kept = a.gt(0).castTo(DataType.DOUBLE).sumNumber().doubleValue() / a.length();
    assertEquals(0.75, kept, 0.05);
    assertEquals(0, a.mul(a.sub(1 / 0.75)).amaxNumber().doubleValue(), 1e-12); // each value is 0 or 1/(1-p)
    assertSame(x, Dropout.dropout(x, 0.0, 7));
    assertThrows(IllegalArgumentException.class, () -> Dropout.dropout(x, 1.0, 7));
    var in = GradCheck.leaves(Nd4j.randn(4, 5));
    assertGrad(GradCheck.check(v -> Dropout.dropout(Shapes.transpose(v.get(0), 0, 1), 0.5, 3), in));
  }
}
