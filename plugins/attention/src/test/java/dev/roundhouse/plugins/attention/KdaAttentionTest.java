package dev.roundhouse.plugins.attention;

import dev.roundhouse.testing.DoublePrecision;
import static dev.roundhouse.plugins.attention.Checks.assertMessage;
import static dev.roundhouse.plugins.attention.Checks.maxDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Attention;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

@ExtendWith(DoublePrecision.class)
class KdaAttentionTest {
  static final int B = 2;
  static final int T = 7;
  static final int D = 8;
  static final int H = 2;

  static KdaAttention kda(KdaConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return (KdaAttention) new KdaProvider().build(c, TestContexts.context(D, H, T));
  }

  /** S_t = (I - b k k^T) diag(a) S_{t-1} + b k v^T, o_t = S_t^T q_t with plain matrices, one sequence at a time. */
  static INDArray naive(INDArray q, INDArray k, INDArray v, INDArray logA, INDArray beta) {
    long n = q.size(0);
    long dk = q.size(2);
    long dv = v.size(2);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, n, q.size(1), dv);
    for (int i = 0; i < n; i++) {
      INDArray s = Nd4j.zeros(DataType.DOUBLE, dk, dv);
      for (int t = 0; t < q.size(1); t++) {
        INDArray kt = k.get(NDArrayIndex.point(i), NDArrayIndex.point(t)).reshape(dk, 1);
        INDArray vt = v.get(NDArrayIndex.point(i), NDArrayIndex.point(t)).reshape(1, dv);
        INDArray a = Transforms.exp(logA.get(NDArrayIndex.point(i), NDArrayIndex.point(t)), true);
        double b = beta.getDouble(i, t, 0);
        INDArray proj = Nd4j.eye(dk).castTo(DataType.DOUBLE).sub(kt.mmul(kt.transpose()).muli(b));
        s = proj.mmul(Nd4j.diag(a)).mmul(s).add(kt.mmul(vt).muli(b));
        out.get(NDArrayIndex.point(i), NDArrayIndex.point(t)).assign(
            s.transpose().mmul(q.get(NDArrayIndex.point(i), NDArrayIndex.point(t)).reshape(dk, 1)).reshape(dv));
      }
    }
    return out;
  }

  static INDArray[] ruleInputs(int n, int t, int dk, int dv, double minLog) {
    INDArray q = Nd4j.randn(DataType.DOUBLE, n, t, dk);
    INDArray k = Nd4j.randn(DataType.DOUBLE, n, t, dk);
    k.divi(Transforms.sqrt(k.mul(k).sum(true, 2), true)); // unit keys keep (I - b k k^T) a contraction
    INDArray v = Nd4j.randn(DataType.DOUBLE, n, t, dv);
    INDArray logA = Nd4j.rand(DataType.DOUBLE, n, t, dk).muli(minLog);
    INDArray beta = Nd4j.rand(DataType.DOUBLE, n, t, 1);
    return new INDArray[] {q, k, v, logA, beta};
  }

  static Tensor[] constants(INDArray[] in) {
    Tensor[] t = new Tensor[in.length];
    for (int i = 0; i < in.length; i++) {
      t[i] = Tensor.constant(in[i]);
    }
    return t;
  }

  @Test
  void recurrentFormIsTheDeltaRule() {
    INDArray[] in = ruleInputs(3, 6, 4, 3, -2.0);
    Tensor[] c = constants(in);
    INDArray got = DeltaRule.recurrent(c[0], c[1], c[2], c[3], c[4]).data();
    assertEquals(0, maxDiff(got, naive(in[0], in[1], in[2], in[3], in[4])), 1e-12);
  }

  @Test
  void chunkwiseEqualsRecurrentForEveryChunkSize() {
    INDArray[] in = ruleInputs(3, 11, 4, 3, -5.0);
    Tensor[] c = constants(in);
    INDArray rec = DeltaRule.recurrent(c[0], c[1], c[2], c[3], c[4]).data();
    for (int chunk : new int[] {1, 2, 3, 4, 5, 8, 11, 16}) {
      INDArray ch = DeltaRule.chunked(c[0], c[1], c[2], c[3], c[4], chunk).data();
      assertEquals(0, maxDiff(ch, rec), 1e-10, "chunk " + chunk);
    }
  }

  @Test
  void wholeBlockChunkwiseEqualsRecurrentInValuesAndGradientsTo1e6() {
    KdaAttention a = kda(new KdaConfig(3, 3, null, null), 1);
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    INDArray[] grads = new INDArray[2];
    INDArray[] outs = new INDArray[2];
    for (int form = 0; form < 2; form++) {
      a.parameters().forEach(Parameter::zeroGrad);
      Tensor out = a.forward(Tensor.constant(x), form == 0);
      outs[form] = out.data();
      Reductions.sumAll(out.mul(out)).backward();
      grads[form] = Nd4j.concat(0, a.parameters().stream().map(p -> p.grad().reshape(-1)).toArray(INDArray[]::new));
    }
    assertEquals(0, maxDiff(outs[0], outs[1]), 1e-6);
    assertTrue(maxDiff(outs[0], outs[1]) < 1e-10, "observed " + maxDiff(outs[0], outs[1]));
    assertEquals(0, maxDiff(grads[0], grads[1]) / grads[1].amaxNumber().doubleValue(), 1e-6);
  }

  @Test
  void floatChunkFormStaysFiniteUnderTheStrongestDecayAndMatchesRecurrent() {
    INDArray[] in = ruleInputs(2, 64, 8, 8, -5.0);
    in[3] = Nd4j.valueArrayOf(in[3].shape(), -4.999, DataType.DOUBLE); // every channel near the floor
    for (int i = 0; i < in.length; i++) {
      in[i] = in[i].castTo(DataType.FLOAT);
    }
    try (StepArena arena = StepArena.open("kda-float-test")) {
      Tensor[] c = constants(in);
      INDArray rec = DeltaRule.recurrent(c[0], c[1], c[2], c[3], c[4]).data();
      INDArray ch = DeltaRule.chunked(c[0], c[1], c[2], c[3], c[4], 16).data();
      assertTrue(Double.isFinite(ch.sumNumber().doubleValue()));
      assertEquals(0, maxDiff(ch, rec), 1e-4);
    }
  }

  /** A one-head, width-4 block: small enough for finite differences over every parameter. */
  static KdaAttention small(KdaConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return (KdaAttention) new KdaProvider().build(c, TestContexts.context(4, 1, T));
  }

  @Test
  void gradientCheckBothFormsAndCausality() {
    Checks.gradOk(small(new KdaConfig(3, 2, null, null), 2), 1, 5, 4, 1e-6);
    // The recurrent form's gradients equal these to 1e-6 (wholeBlockChunkwiseEqualsRecurrent...).
    var dr = GradCheck.leaves(ruleInputs(1, 5, 2, 2, -3.0));
    GradCheck.Result r = GradCheck.check(x -> DeltaRule.chunked(x.get(0), x.get(1), x.get(2), x.get(3), x.get(4), 2), dr);
    assertTrue(r.max() < 1e-6, "delta rule (q, k, v, logA, beta) " + r.relativeErrors());
    Checks.causal(kda(new KdaConfig(null, 4, null, null), 4), B, T, D);
  }

  @Test
  void configAndCosts() {
    KdaConfig d = KdaConfig.defaults();
    assertEquals(4, d.convSize());
    assertEquals(16, d.chunkSize());
    assertEquals("chunk", d.form());
    assertEquals(-5.0, d.minLogDecay());
    assertMessage("form:", () -> new KdaConfig(null, null, "parallel", null));
    assertMessage("chunkSize * |minLogDecay|", () -> new KdaConfig(null, 32, null, -5.0));
    assertMessage("minLogDecay:", () -> new KdaConfig(null, null, null, 0.0));
    assertMessage("convSize:", () -> new KdaConfig(0, null, null, null));
    Attention a = kda(d, 5);
    assertEquals(0, a.kvCachePerToken());
    assertEquals(12, a.parameters().size());
    assertEquals(a.flopsPerToken(256), a.flopsPerToken(4096), "cost per token does not grow with T");
    List<String> roles = a.parameters().stream().map(p -> p.role().name()).distinct().sorted().toList();
    assertEquals(List.of("ATTENTION", "BIAS", "NORM"), roles);
  }
}
