package dev.roundhouse.plugins.attention;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.attention.Checks.assertMessage;
import static dev.roundhouse.plugins.attention.Checks.maxDiff;
import static dev.roundhouse.plugins.attention.Checks.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.BandedAttention;
import dev.roundhouse.plugins.attention.kernels.MaskedAttention;
import dev.roundhouse.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(DoublePrecision.class)
class NsaAttentionTest {
  static final int B = 2;
  static final int T = 8;
  static final int D = 8;
  static final int H = 2;

  static NsaAttention nsa(NsaConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return (NsaAttention) new NsaProvider().build(c, TestContexts.context(D, H, T));
  }

  static INDArray full(NsaAttention.Branches br) {
    double scale = 1.0 / Math.sqrt(D / H);
    return AttentionOps.causalAttention(br.q(), br.k(), br.v(), scale, 0, null).data();
  }

  /**
   * Identity: with selectCount >= ceil(T / selectBlock) every causal block is selected, and with window
   * >= T the window covers the whole past, so both the selected and the window branch equal full causal
   * attention over the same q, k, v, and the block output is wo(g_cmp o_cmp + (g_slc + g_win) o_full).
   */
  @Test
  void fullSelectionAndWideWindowAreFullCausalAttention() {
    NsaAttention a = nsa(new NsaConfig(1, 4, 2, 2, 4, T, null), 1);
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    NsaAttention.Branches br = a.branches(Tensor.constant(x));
    INDArray ref = full(br);
    assertEquals(0, maxDiff(br.slc().data(), ref), 1e-12);
    assertEquals(0, maxDiff(br.win().data(), ref), 1e-12);
    INDArray mixed = br.cmp().data().mul(br.gCmp().data()).add(ref.mul(br.gSlc().data().add(br.gWin().data())));
    INDArray merged = mixed.permute(0, 2, 1, 3).dup('c').reshape(B * T, D);
    INDArray expected = merged.mmul(a.parameters().get(5).data().transpose()).reshape(B, T, D);
    assertEquals(0, maxDiff(run(a, x), expected), 1e-12);
  }

  /** The window branch equals the banded sliding-window kernel, whether it runs dense (T <= 8 w) or banded. */
  @Test
  void windowBranchEqualsBandedAttention() {
    int t = 20;
    for (int w : new int[] {2, 3}) {
      Nd4j.getRandom().setSeed(9);
      NsaAttention a = (NsaAttention) new NsaProvider().build(new NsaConfig(1, 4, 2, 2, 2, w, null),
          TestContexts.context(D, H, t));
      NsaAttention.Branches br = a.branches(Tensor.constant(Nd4j.randn(new long[] {B, t, D})));
      INDArray expected = BandedAttention.attend(br.q(), br.k(), br.v(), 1.0 / Math.sqrt(D / H), w, 0).data();
      assertEquals(0, maxDiff(br.win().data(), expected), 1e-12, "w=" + w);
      assertEquals(w == 3, a.denseWindow(t), "w=" + w);
    }
  }

  /** Compressed branch: softmax over the mean-pooled blocks [2j, 2j + 4) complete at t; zero before the first. */
  @Test
  void compressedBranchEqualsNaiveMeanPooledAttention() {
    NsaAttention a = nsa(new NsaConfig(1, 4, 2, 2, 1, 2, 0.0), 2);
    NsaAttention.Branches br = a.branches(Tensor.constant(Nd4j.randn(new long[] {B, T, D})));
    int hd = D / H;
    int nc = (T - 4) / 2 + 1;
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < H; h++) {
        for (int t = 0; t < T; t++) {
          double[] w = new double[nc];
          double z = 0;
          double max = Double.NEGATIVE_INFINITY;
          int visible = 0;
          for (int j = 0; j < nc && 2 * j + 3 <= t; j++, visible++) {
            double dot = 0;
            for (int c = 0; c < hd; c++) {
              double ck = 0;
              for (int p = 2 * j; p < 2 * j + 4; p++) {
                ck += br.k().data().getDouble(b, 0, p, c) / 4;
              }
              dot += br.q().data().getDouble(b, h, t, c) * ck;
            }
            w[j] = dot / Math.sqrt(hd);
            max = Math.max(max, w[j]);
          }
          for (int j = 0; j < visible; j++) {
            w[j] = Math.exp(w[j] - max);
            z += w[j];
          }
          for (int c = 0; c < hd; c++) {
            double acc = 0;
            for (int j = 0; j < visible; j++) {
              double cv = 0;
              for (int p = 2 * j; p < 2 * j + 4; p++) {
                cv += br.v().data().getDouble(b, 0, p, c) / 4;
              }
              acc += w[j] / z * cv;
            }
            assertEquals(acc, br.cmp().data().getDouble(b, h, t, c), 1e-12, "b" + b + " h" + h + " t" + t);
          }
        }
      }
    }
  }

  /** With selectCount = 1 each query reads only its own block's tokens <= t. */
  @Test
  void oneSelectedBlockIsTheQuerysOwnBlock() {
    NsaAttention a = nsa(new NsaConfig(null, 4, 2, 2, 1, 2, null), 3);
    NsaAttention.Branches br = a.branches(Tensor.constant(Nd4j.randn(new long[] {B, T, D})));
    double[][] vis = new double[T][T];
    for (int i = 0; i < T; i++) {
      for (int j = i / 2 * 2; j <= i; j++) {
        vis[i][j] = 1;
      }
    }
    INDArray expected = MaskedAttention.attend(br.q(), br.k(), br.v(), 1.0 / Math.sqrt(D / H), 0,
        Nd4j.createFromArray(vis)).out().data();
    assertEquals(0, maxDiff(br.slc().data(), expected), 1e-12);
  }

  @Test
  void selectionFollowsCompressedImportance() {
    NsaSelection sel = new NsaSelection(8, 4, 2, 2, 2, DataType.DOUBLE);
    assertEquals(3, sel.nC);
    assertEquals(4, sel.nS);
    INDArray imp = Nd4j.zeros(DataType.DOUBLE, 8, 4);
    imp.putScalar(7, 0, 0.9); // query 7: block 0 most important (own block 3 is forced)
    imp.putScalar(7, 2, 0.5);
    imp.putScalar(3, 3, 5.0); // query 3 cannot pick future block 3
    imp.putScalar(3, 0, 0.1);
    NsaSelection.Picked p = sel.pick(imp, 1);
    int[] row7 = java.util.Arrays.copyOfRange(p.blocks(), 7 * 2, 8 * 2);
    assertTrue(java.util.Arrays.equals(row7, new int[] {3, 0}), java.util.Arrays.toString(row7));
    int[] row3 = java.util.Arrays.copyOfRange(p.blocks(), 3 * 2, 4 * 2);
    assertTrue(java.util.Arrays.equals(row3, new int[] {1, 0}), java.util.Arrays.toString(row3));
    int[] row0 = java.util.Arrays.copyOfRange(p.blocks(), 0, 2);
    assertTrue(java.util.Arrays.equals(row0, new int[] {0, -1}), java.util.Arrays.toString(row0));
    assertEquals(0, maxDiff(p.selected().getRow(7), Nd4j.createFromArray(1.0, 0, 0, 1)), 0);
    assertEquals(0, maxDiff(p.selected().getRow(3), Nd4j.createFromArray(1.0, 1, 0, 0)), 0);
    assertEquals(0, maxDiff(p.selected().getRow(0), Nd4j.createFromArray(1.0, 0, 0, 0)), 0); // query 0: own block
  }

  @Test
  void gradientCheckAndCausality() {
    Nd4j.getRandom().setSeed(4);
    NsaAttention small = (NsaAttention) new NsaProvider().build(new NsaConfig(1, 4, 2, 2, 2, 3, null),
        TestContexts.context(4, 2, T));
    Checks.gradOk(small, 1, T, 4, 1e-6);
    Checks.causal(nsa(new NsaConfig(1, 4, 2, 2, 2, 3, null), 5), B, T, D);
    Checks.causal(nsa(new NsaConfig(null, 4, 4, 4, 1, 2, null), 6), 1, T, D);
  }

  @Test
  void configValidationAndCosts() {
    NsaConfig d = NsaConfig.defaults();
    assertEquals(16, d.compressBlock());
    assertEquals(8, d.compressStride());
    assertEquals(16, d.selectBlock());
    assertEquals(4, d.selectCount());
    assertEquals(64, d.window());
    assertMessage("compressStride", () -> new NsaConfig(null, 4, 3, null, null, null, null));
    assertMessage("selectBlock", () -> new NsaConfig(null, 8, 4, 6, null, null, null));
    assertMessage("window: ", () -> new NsaConfig(null, null, null, null, null, 0, null));
    assertMessage("ropeFraction: ", () -> new NsaConfig(null, null, null, null, null, null, 1.5));
    assertMessage("nKvHeads: must be > 0", () -> new NsaConfig(0, null, null, null, null, null, null));
    assertMessage("nKvHeads: (3)", () -> nsa(new NsaConfig(3, 4, 2, 2, 1, 2, null), 7));
    NsaAttention a = nsa(new NsaConfig(1, 4, 2, 2, 2, 3, null), 8);
    assertEquals(2 * 4 + 8 / 2, a.kvCachePerToken());
  }
}
