package dev.roundhouse.plugins.attention;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.attention.Checks.assertMessage;
import static dev.roundhouse.plugins.attention.Checks.maxDiff;
import static dev.roundhouse.plugins.attention.Checks.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.api.Attention;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

@ExtendWith(DoublePrecision.class)
class MlaAttentionTest {
  static final int B = 2;
  static final int T = 5;
  static final int D = 8;
  static final int H = 2;

  static MlaAttention mla(MlaConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return (MlaAttention) new MlaProvider().build(c, TestContexts.context(D, H, T));
  }

  /** Rows [.., n] normalised by RMS with unit gain. */
  static INDArray rms(INDArray x) {
    INDArray r = Transforms.pow(x.mul(x).mean(true, x.rank() - 1).addi(1e-6), -0.5, false);
    return x.mul(r);
  }

  /** rotate_half RoPE of v [T, n] (all n dims) at positions 0..T-1. */
  static INDArray rope(INDArray v) {
    int n = (int) v.size(1);
    INDArray out = v.dup();
    for (int t = 0; t < v.size(0); t++) {
      for (int i = 0; i < n / 2; i++) {
        double ang = t * Math.pow(10000.0, -2.0 * i / n);
        double a = v.getDouble(t, i);
        double b = v.getDouble(t, i + n / 2);
        out.putScalar(t, i, a * Math.cos(ang) - b * Math.sin(ang));
        out.putScalar(t, i + n / 2, b * Math.cos(ang) + a * Math.sin(ang));
      }
    }
    return out;
  }

  /** Decompress, then attend, one (batch, head) at a time with plain matrices. */
  static INDArray naive(MlaAttention m, INDArray x) {
    MlaConfig.Dims dm = m.dims();
    List<INDArray> p = m.parameters().stream().map(t -> t.data()).toList();
    boolean lora = dm.qLoraRank() > 0;
    int at = lora ? 3 : 1;
    INDArray wdkv = p.get(at);
    INDArray wuk = p.get(at + 2);
    INDArray wuv = p.get(at + 3);
    INDArray wo = p.get(at + 4);
    int dn = dm.nopeDim();
    int dr = dm.ropeDim();
    int dv = dm.vDim();
    int r = dm.kvLoraRank();
    INDArray out = Nd4j.zeros(DataType.DOUBLE, B, T, D);
    for (int b = 0; b < B; b++) {
      INDArray xb = x.get(NDArrayIndex.point(b)).dup(); // [T, D]
      INDArray qAll = lora ? rms(xb.mmul(p.get(0).transpose())).mmul(p.get(2).transpose()) : xb.mmul(p.get(0).transpose());
      INDArray ckv = xb.mmul(wdkv.transpose()); // [T, r + dr]
      INDArray c = rms(ckv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, r)).dup());
      INDArray kRope = rope(ckv.get(NDArrayIndex.all(), NDArrayIndex.interval(r, r + dr)).dup());
      INDArray kNope = c.mmul(wuk.transpose()); // [T, H dn]
      INDArray v = c.mmul(wuv.transpose()); // [T, H dv]
      INDArray heads = Nd4j.zeros(DataType.DOUBLE, T, H * dv);
      for (int h = 0; h < H; h++) {
        int q0 = h * (dn + dr);
        INDArray qh = Nd4j.hstack(qAll.get(NDArrayIndex.all(), NDArrayIndex.interval(q0, q0 + dn)).dup(),
            rope(qAll.get(NDArrayIndex.all(), NDArrayIndex.interval(q0 + dn, q0 + dn + dr)).dup()));
        INDArray kh = Nd4j.hstack(kNope.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dn, (h + 1) * dn)).dup(), kRope);
        INDArray vh = v.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dv, (h + 1) * dv)).dup();
        INDArray s = qh.mmul(kh.transpose()).muli(1.0 / Math.sqrt(dn + dr)); // [T, T]
        for (int i = 0; i < T; i++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            max = Math.max(max, s.getDouble(i, j));
          }
          double z = 0;
          for (int j = 0; j < T; j++) {
            double e = j <= i ? Math.exp(s.getDouble(i, j) - max) : 0;
            s.putScalar(i, j, e);
            z += e;
          }
          s.getRow(i).divi(z);
        }
        heads.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dv, (h + 1) * dv)).assign(s.mmul(vh));
      }
      out.get(NDArrayIndex.point(b)).assign(heads.mmul(wo.transpose()));
    }
    return out;
  }

  @Test
  void equalsNaiveDecompressThenAttend() {
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    MlaAttention plain = mla(new MlaConfig(null, 6, 3, 2, 5), 1);
    assertEquals(0, maxDiff(run(plain, x), naive(plain, x)), 1e-10);
    MlaAttention lora = mla(new MlaConfig(4, 6, 3, 4, 2), 2);
    assertEquals(0, maxDiff(run(lora, x), naive(lora, x)), 1e-10);
  }

  @Test
  void gradientCheckAndCausality() {
    Nd4j.getRandom().setSeed(3);
    Attention small = new MlaProvider().build(new MlaConfig(2, 3, 2, 2, 2), TestContexts.context(4, 2, 4));
    Checks.gradOk(small, 1, 4, 4, 1e-6);
    Checks.causal(mla(new MlaConfig(4, 6, 3, 2, 5), 5), B, T, D);
  }

  @Test
  void defaultsCacheAndParameters() {
    MlaAttention m = mla(MlaConfig.defaults(), 6);
    assertEquals(new MlaConfig.Dims(0, 8, 4, 2, 4), m.dims()); // hd = 4
    assertEquals(8 + 2, m.kvCachePerToken()); // vs MHA 2 * H * hd = 16
    assertEquals(List.of("wq", "wdkv", "kv_norm", "wuk", "wuv", "wo"),
        m.parameters().stream().map(p -> p.name().substring("layers.0.attn.".length())).toList());
    MlaAttention lora = mla(new MlaConfig(4, null, null, null, null), 7);
    assertEquals(List.of("wdq", "q_norm", "wuq"),
        lora.parameters().subList(0, 3).stream().map(p -> p.name().substring("layers.0.attn.".length())).toList());
    assertMessage("ropeDim: must be even", () -> new MlaConfig(null, null, null, 3, null));
    assertMessage("kvLoraRank:", () -> new MlaConfig(null, 0, null, null, null));
    assertMessage("qLoraRank:", () -> new MlaConfig(-1, null, null, null, null));
    Attention a = mla(new MlaConfig(null, 6, 3, 2, 5), 8);
    // 2*(q 2*5*8 + kv (8*8 + 2*8*6) + out 8*10) + 2*2*(5+5)*T
    assertEquals(2L * (80 + 64 + 96 + 80) + 40L * T, a.flopsPerToken(T));
  }
}
