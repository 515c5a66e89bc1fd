package dev.roundhouse.plugins.attention;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.attention.Checks.maxDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.plugins.attention.kernels.GatheredAttention;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.plugins.attention.kernels.SelectedBlockAttention;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The selected branch as dense attention under block and causal masks ({@link SelectedBlockAttention},
 * fed with {@link NsaSelection}'s picks) equals the direct formulation: gather each query group's n l'
 * selected keys and attend over them ({@link GatheredAttention}) - values and the q, k, v gradients.
 */
@ExtendWith(DoublePrecision.class)
class NsaSelectedMaskTest {
  static final int B = 2;
  static final int H = 4;
  static final int HK = 2;
  static final int T = 11; // not a multiple of l'
  static final int HD = 3;

  /** Row indices into k [B*Hk*T, hd] and validity of the picked blocks' tokens <= t (the gathered layout). */
  static Object[] gatherLists(NsaSelection sel, int[] blocks, int rows) {
    int keys = sel.nPick * sel.lSel;
    int[] idx = new int[rows * keys];
    double[] valid = new double[rows * keys];
    for (int row = 0; row < rows; row++) {
      int pos = row % T;
      for (int p = 0; p < sel.nPick; p++) {
        int block = blocks[row * sel.nPick + p];
        for (int o = 0; o < sel.lSel; o++) {
          int key = block * sel.lSel + o;
          boolean ok = block >= 0 && key <= pos;
          idx[row * keys + p * sel.lSel + o] = row - pos + (ok ? key : pos);
          valid[row * keys + p * sel.lSel + o] = ok ? 1 : 0;
        }
      }
    }
    return new Object[] {idx, Nd4j.createFromArray(valid).reshape(rows, keys)};
  }

  static Tensor gathered(List<Parameter> in, Object[] lists) {
    Tensor q3 = Shapes.reshape(Shapes.contiguous(Shapes.permute(Shapes.reshape(in.get(0), B, HK, H / HK, T, HD),
        0, 1, 3, 2, 4)), (long) B * HK * T, H / HK, HD); // [B*Hk*T, G, hd]
    Tensor o3 = GatheredAttention.attend(q3, Shapes.reshape(in.get(1), (long) B * HK * T, HD),
        Shapes.reshape(in.get(2), (long) B * HK * T, HD), (int[]) lists[0], (INDArray) lists[1], 0.6);
    return Shapes.reshape(Shapes.permute(Shapes.reshape(o3, B, HK, T, H / HK, HD), 0, 1, 3, 2, 4), B, H, T, HD);
  }

  @Test
  void maskedSelectionEqualsGatheredSelectedKeys() {
    Nd4j.getRandom().setSeed(11);
    NsaSelection sel = new NsaSelection(T, 4, 2, 2, 3, DataType.DOUBLE); // nS = 6 blocks of 2, pick 3
    int rows = B * HK * T;
    INDArray importance = Nd4j.rand(DataType.DOUBLE, rows, sel.nS);
    importance.getRow(5).assign(0.25); // ties -> later blocks
    NsaSelection.Picked picked = sel.pick(importance, B * HK);
    INDArray selected = picked.selected().reshape(B, HK, T, sel.nS);
    Object[] lists = gatherLists(sel, picked.blocks(), rows);

    INDArray q = Nd4j.randn(DataType.DOUBLE, B, H, T, HD);
    INDArray k = Nd4j.randn(DataType.DOUBLE, B, HK, T, HD);
    INDArray v = Nd4j.randn(DataType.DOUBLE, B, HK, T, HD);
    INDArray seed = Nd4j.randn(DataType.DOUBLE, B, H, T, HD);
    List<Parameter> a = GradCheck.leaves(q.dup(), k.dup(), v.dup());
    List<Parameter> g = GradCheck.leaves(q.dup(), k.dup(), v.dup());
    Tensor viaMask = SelectedBlockAttention.attend(a.get(0), a.get(1), a.get(2), selected, sel.lSel, 0.6);
    Tensor viaGather = gathered(g, lists);
    assertEquals(0, maxDiff(viaMask.data(), viaGather.data()), 1e-12);
    viaMask.backward(seed);
    viaGather.backward(seed);
    for (int i = 0; i < 3; i++) {
      assertEquals(0, maxDiff(a.get(i).grad(), g.get(i).grad()), 1e-12, "gradient of input " + i);
    }
    // the selection is non-trivial: late queries read 3 of their 5 or 6 causal blocks
    assertEquals(3.0, selected.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1),
        org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.point(T - 1))
        .sumNumber().doubleValue());
  }
}
