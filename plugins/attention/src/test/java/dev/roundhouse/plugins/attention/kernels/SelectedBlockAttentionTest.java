package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Tensor;
import dev.roundhouse.testing.DoublePrecision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** SelectedBlockAttention: equals MaskedAttention with the explicit token mask per group; DOUBLE grad check. */
@ExtendWith(DoublePrecision.class)
class SelectedBlockAttentionTest {
  static final int B = 2;
  static final int H = 4;
  static final int HK = 2;
  static final int T = 7; // blocks of 3: [0, 3), [3, 6), [6, 7) (the last padded)
  static final int L = 3;
  static final int NS = 3;

  /** Random 0/1 block flags [B, Hk, T, nS]; group (0, 1) query 4 selects only future block 2 (sees nothing). */
  static INDArray selection() {
    INDArray sel = Nd4j.rand(DataType.DOUBLE, B, HK, T, NS).gt(0.4).castTo(DataType.DOUBLE);
    sel.putScalar(new long[] {0, 1, 4, 0}, 0);
    sel.putScalar(new long[] {0, 1, 4, 1}, 0);
    sel.putScalar(new long[] {0, 1, 4, 2}, 1);
    return sel;
  }

  /** The explicit [T, T] token mask of group (b, hk): j visible from i iff block j / L is selected and j <= i. */
  static INDArray tokenMask(INDArray sel, int b, int hk) {
    double[][] m = new double[T][T];
    for (int i = 0; i < T; i++) {
      for (int j = 0; j <= i; j++) {
        m[i][j] = sel.getDouble(b, hk, i, j / L) != 0 ? 1 : 0;
      }
    }
    return Nd4j.createFromArray(m);
  }

  @Test
  void equalsMaskedAttentionPerGroupAndZeroesEmptyRows() {
    Nd4j.getRandom().setSeed(21);
    INDArray sel = selection();
    INDArray q = Nd4j.randn(DataType.DOUBLE, B, H, T, 3);
    INDArray k = Nd4j.randn(DataType.DOUBLE, B, HK, T, 3);
    INDArray v = Nd4j.randn(DataType.DOUBLE, B, HK, T, 5);
    INDArray out = SelectedBlockAttention.attend(Tensor.constant(q), Tensor.constant(k), Tensor.constant(v), sel, L,
        0.7).data();
    for (int b = 0; b < B; b++) {
      for (int hk = 0; hk < HK; hk++) {
        INDArrayIndex[] heads = {NDArrayIndex.interval(b, b + 1), NDArrayIndex.interval(2 * hk, 2 * hk + 2),
            NDArrayIndex.all(), NDArrayIndex.all()};
        INDArrayIndex[] kv = {NDArrayIndex.interval(b, b + 1), NDArrayIndex.interval(hk, hk + 1), NDArrayIndex.all(),
            NDArrayIndex.all()};
        INDArray expected = MaskedAttention.attend(Tensor.constant(q.get(heads)), Tensor.constant(k.get(kv)),
            Tensor.constant(v.get(kv)), 0.7, 0, tokenMask(sel, b, hk)).out().data();
        assertEquals(0, out.get(heads).sub(expected).amaxNumber().doubleValue(), 1e-12, "b" + b + " hk" + hk);
      }
    }
    assertEquals(0, out.get(NDArrayIndex.point(0), NDArrayIndex.interval(2, 4), NDArrayIndex.point(4))
        .amaxNumber().doubleValue(), 0);
  }

  @Test
  void gradCheckWithPaddedBlocksAndAnEmptyRow() {
    Nd4j.getRandom().setSeed(22);
    INDArray sel = selection();
    var in = GradCheck.leaves(Nd4j.randn(DataType.DOUBLE, B, H, T, 3), Nd4j.randn(DataType.DOUBLE, B, HK, T, 3),
        Nd4j.randn(DataType.DOUBLE, B, HK, T, 2));
    GradCheck.Result r = GradCheck.check(x -> SelectedBlockAttention.attend(x.get(0), x.get(1), x.get(2), sel, L,
        0.8), in);
    assertTrue(r.max() < 1e-6, "relative errors " + r.relativeErrors());
    assertThrows(IllegalArgumentException.class, () -> SelectedBlockAttention.attend(in.get(0), in.get(1), in.get(2),
        Nd4j.ones(DataType.DOUBLE, B, HK, T, NS + 1), L, 1.0));
  }
}
