package dev.roundhouse.plugins.attention;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.attention.Checks.assertMessage;
import static dev.roundhouse.plugins.attention.Checks.maxDiff;
import static dev.roundhouse.plugins.attention.Checks.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Attention;
import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class SwaAttentionTest {
  static final int B = 2;
  static final int T = 7;
  static final int D = 8;
  static final int H = 2;

  static Attention swa(SwaConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return new SwaProvider().build(c, TestContexts.context(D, H, T));
  }

  static Attention mha(MhaConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return new MhaProvider().build(c, TestContexts.context(D, H, T));
  }

  @Test
  void windowCoveringTheSequenceEqualsFullCausalMha() {
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    for (int w : new int[] {T, T + 5}) {
      double diff = maxDiff(run(swa(new SwaConfig(w, 1, null, null, null), 1), x),
          run(mha(new MhaConfig(1, null, null, null), 1), x));
      assertEquals(0, diff, 1e-12, "W=" + w);
    }
  }

  @Test
  void smallWindowDiffersFromMhaAndMatchesTheMaskedReference() {
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    Attention s = swa(new SwaConfig(3, null, null, null, null), 2);
    assertTrue(maxDiff(run(s, x), run(mha(MhaConfig.defaults(), 2), x)) > 1e-6);
    // Same block through AttentionOps' masked T x T kernel with window 3.
    var p = s.parameters();
    INDArray q = heads(x, p.get(0).data(), H);
    INDArray k = heads(x, p.get(1).data(), H);
    INDArray v = heads(x, p.get(2).data(), H);
    var rope = new Heads.RopeTables(T, D / H, D / H, 10000.0);
    INDArray o = AttentionOps.causalAttention(rope.apply(Tensor.constant(q)), rope.apply(Tensor.constant(k)),
        Tensor.constant(v), 1.0 / Math.sqrt(D / H), 3, null).data();
    INDArray merged = o.permute(0, 2, 1, 3).dup('c').reshape(B, T, D);
    INDArray expected = merged.reshape(B * T, D).mmul(p.get(3).data().transpose()).reshape(B, T, D);
    assertEquals(0, maxDiff(run(s, x), expected), 1e-12);
  }

  private static INDArray heads(INDArray x, INDArray w, int n) {
    return x.reshape(B * T, D).mmul(w.transpose()).reshape(B, T, n, D / n).permute(0, 2, 1, 3).dup('c');
  }

  @Test
  void gradientCheckAndCausality() {
    Checks.gradOk(swa(new SwaConfig(3, 1, 0.5, true, 2.0), 3), 1, T, D, 1e-6);
    Checks.causal(swa(new SwaConfig(2, null, null, null, null), 4), B, T, D);
  }

  @Test
  void configAndCosts() {
    assertEquals(128, SwaConfig.defaults().window());
    assertMessage("window:", () -> new SwaConfig(0, null, null, null, null));
    assertMessage("ropeFraction:", () -> new SwaConfig(4, null, 2.0, null, null));
    Attention s = swa(new SwaConfig(3, null, null, null, null), 5);
    // projections 2*8*(16+16) = 512, banded scores 4 * H * hd * 2W = 4*2*4*6 = 192
    assertEquals(512 + 192, s.flopsPerToken(T));
    assertEquals(16, s.kvCachePerToken());
  }
}
