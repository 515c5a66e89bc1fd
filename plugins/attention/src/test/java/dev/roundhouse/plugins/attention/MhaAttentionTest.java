package dev.roundhouse.plugins.attention;

import dev.roundhouse.testing.DoublePrecision;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Attention;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(DoublePrecision.class)
class MhaAttentionTest {
  static final int B = 2;
  static final int T = 5;
  static final int D = 8;
  static final int H = 2;

  static Attention build(MhaConfig config, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return new MhaProvider().build(config, TestContexts.context(D, H, T));
  }

  static INDArray run(Attention a, INDArray x) {
    return a.forward(Tensor.constant(x)).data();
  }

  static void assertGradOk(Attention block) {
    List<Parameter> inputs = new ArrayList<>(GradCheck.leaves(Nd4j.randn(new long[] {1, T, D})));
    inputs.addAll(block.parameters());
    GradCheck.Result r = GradCheck.check(in -> block.forward(in.get(0)), inputs);
    assertTrue(r.max() < 1e-6, "relative errors (x, wq, wk, wv, wo) " + r.relativeErrors());
  }

  @Test
  void gradientCheckOfWholeBlock() {
    assertGradOk(build(MhaConfig.defaults(), 1));
  }

  @Test
  void gradientCheckWithGqaAndPartialRope() {
    assertGradOk(build(new MhaConfig(1, 0.5, null, null), 2));
  }

  @Test
  void gradientCheckWithQkNormAndSoftCap() {
    Attention block = build(new MhaConfig(1, null, true, 0.8), 8);
    assertEquals(List.of("layers.0.attn.q_norm", "layers.0.attn.k_norm"),
        block.parameters().subList(4, 6).stream().map(Parameter::name).toList());
    assertGradOk(block);
  }

  @Test
  void softCapBoundsEveryScoreAndALargeCapIsPlainAttention() {
    Attention plain = build(MhaConfig.defaults(), 9);
    Attention loose = build(new MhaConfig(null, null, null, 1e6), 9);
    Attention tight = build(new MhaConfig(null, null, null, 0.5), 9);
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    assertEquals(0, run(plain, x).sub(run(loose, x)).amaxNumber().doubleValue(), 1e-9);
    assertTrue(run(plain, x).sub(run(tight, x)).amaxNumber().doubleValue() > 1e-3);
  }

  @Test
  void qkNormWithUnitGainsIgnoresTheScaleOfWqAndWk() {
    Attention a = build(new MhaConfig(null, null, true, null), 10);
    Attention b = build(new MhaConfig(null, null, true, null), 10);
    b.parameters().get(0).data().muli(3.0); // wq
    b.parameters().get(1).data().muli(0.5); // wk
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    assertEquals(0, run(a, x).sub(run(b, x)).amaxNumber().doubleValue(), 1e-4); // only eps = 1e-6 differs
  }

  @Test
  void gqaProviderWithAllKvHeadsEqualsMha() {
    Nd4j.getRandom().setSeed(11);
    Attention mha = new MhaProvider().build(MhaConfig.defaults(), TestContexts.context(D, H, T));
    Nd4j.getRandom().setSeed(11);
    Attention gqa = new GqaProvider().build(new MhaConfig(H, null, null, null), TestContexts.context(D, H, T));
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    assertEquals(0, run(mha, x).sub(run(gqa, x)).amaxNumber().doubleValue(), 0);
    Checks.causal(gqa, B, T, D);
  }

  @Test
  void causalityWithSoftCapAndQkNorm() {
    Checks.causal(build(new MhaConfig(1, 0.5, true, 1.0), 12), B, T, D);
  }

  @Test
  void causality() {
    Attention block = build(new MhaConfig(1, null, null, null), 3);
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    INDArray base = run(block, x);
    for (int t = 0; t < T - 1; t++) {
      INDArrayIndex[] future = {NDArrayIndex.all(), NDArrayIndex.interval(t + 1, T), NDArrayIndex.all()};
      INDArrayIndex[] past = {NDArrayIndex.all(), NDArrayIndex.interval(0, t + 1), NDArrayIndex.all()};
      INDArray y = x.dup();
      y.get(future).addi(Nd4j.randn(y.get(future).shape()));
      INDArray out = run(block, y);
      assertEquals(0, out.get(past).sub(base.get(past)).amaxNumber().doubleValue(), 1e-14, "positions <= " + t);
      assertTrue(out.get(future).sub(base.get(future)).amaxNumber().doubleValue() > 1e-6);
    }
  }

  @Test
  void nKvHeadsEqualToNHeadsIsMha() {
    Attention mha = build(MhaConfig.defaults(), 4);
    Attention gqa = build(new MhaConfig(H, null, null, null), 4);
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(mha.parameters().get(i).shape(), gqa.parameters().get(i).shape());
    }
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    assertEquals(0, run(mha, x).sub(run(gqa, x)).amaxNumber().doubleValue(), 0);
  }

  @Test
  void sharedKvHeadEqualsMhaWithRepeatedKvWeights() {
    Attention gqa = build(new MhaConfig(1, null, null, null), 5); // wk, wv: [hd, d]
    Attention mha = build(MhaConfig.defaults(), 6); // wk, wv: [H*hd, d]
    for (int i = 0; i < 4; i++) {
      INDArray src = gqa.parameters().get(i).data();
      INDArray dst = mha.parameters().get(i).data();
      dst.assign(i == 1 || i == 2 ? Nd4j.concat(0, src, src) : src);
    }
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    assertEquals(0, run(mha, x).sub(run(gqa, x)).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void parametersAndReportedCosts() {
    Attention gqa = build(new MhaConfig(1, null, null, null), 7);
    List<String> names = gqa.parameters().stream().map(Parameter::name).toList();
    assertEquals(List.of("layers.0.attn.wq", "layers.0.attn.wk", "layers.0.attn.wv", "layers.0.attn.wo"), names);
    assertArrayEquals(new long[] {4, 8}, gqa.parameters().get(1).shape());
    assertTrue(gqa.parameters().stream().allMatch(p -> p.role() == ParamRole.ATTENTION));
    assertEquals(2 * 4, gqa.kvCachePerToken());
    // 2*8*(16 + 8) projections + 4*2*4*5 attention
    assertEquals(384 + 160, gqa.flopsPerToken(5));
    assertEquals(16, build(MhaConfig.defaults(), 7).kvCachePerToken());
  }

  @Test
  void configDefaultsAndValidation() {
    MhaConfig d = MhaConfig.defaults();
    assertEquals(1.0, d.ropeFraction());
    assertEquals(false, d.qkNorm());
    assertEquals(null, d.nKvHeads());
    assertEquals(4, new MhaConfig(null, 0.5, false, null).rotaryDims(8));
    assertEquals(2, new MhaConfig(null, 0.3, false, null).rotaryDims(8)); // 2.4 rounded down to even
    assertMessage("nKvHeads", () -> new MhaConfig(0, null, null, null));
    assertMessage("ropeFraction", () -> new MhaConfig(null, 1.5, null, null));
    assertMessage("ropeFraction", () -> new MhaConfig(null, Double.NaN, null, null));
    assertMessage("softCap", () -> new MhaConfig(null, null, null, -1.0));
    assertMessage("softCap", () -> new MhaConfig(null, null, null, Double.POSITIVE_INFINITY));
    assertMessage("gqa: nKvHeads is required", () -> new GqaProvider().build(d, TestContexts.context(D, H, T)));
    assertMessage("nKvHeads (3) must divide nHeads (2)", () -> build(new MhaConfig(3, null, null, null), 1));
    Attention block = build(d, 1);
    assertMessage("seqLen", () -> block.forward(Tensor.constant(Nd4j.randn(new long[] {1, T + 1, D}))));
  }

  @Test
  void providerIsAnIndexedExtension() throws Exception {
    assertEquals("mha", new MhaProvider().id());
    assertEquals(MhaConfig.class, new MhaProvider().configType());
    // the pf4j annotation processor writes the index into every compiled output; one must list us
    var found = new StringBuilder();
    var urls = getClass().getClassLoader().getResources("META-INF/extensions.idx");
    while (urls.hasMoreElements()) {
      try (var in = urls.nextElement().openStream()) {
        found.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    for (Class<?> c : List.of(MhaProvider.class, GqaProvider.class, SwaProvider.class, MlaProvider.class,
        NsaProvider.class, KdaProvider.class)) {
      assertTrue(found.toString().contains(c.getName()), "extensions.idx: " + found);
    }
  }

  private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
    var ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
  }
}
