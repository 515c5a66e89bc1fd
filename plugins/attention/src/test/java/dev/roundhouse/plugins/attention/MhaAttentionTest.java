package dev.roundhouse.plugins.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.ParamRole;
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
    List<Parameter> inputs = new ArrayList<>(GradCheck.leaves(Nd4j.randn(new long[] {B, T, D})));
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
    assertGradOk(build(new MhaConfig(1, 0.5, null), 2));
  }

  @Test
  void causality() {
    Attention block = build(new MhaConfig(1, null, null), 3);
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
    Attention gqa = build(new MhaConfig(H, null, null), 4);
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(mha.parameters().get(i).shape(), gqa.parameters().get(i).shape());
    }
    INDArray x = Nd4j.randn(new long[] {B, T, D});
    assertEquals(0, run(mha, x).sub(run(gqa, x)).amaxNumber().doubleValue(), 0);
  }

  @Test
  void sharedKvHeadEqualsMhaWithRepeatedKvWeights() {
    Attention gqa = build(new MhaConfig(1, null, null), 5); // wk, wv: [hd, d]
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
    Attention gqa = build(new MhaConfig(1, null, null), 7);
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
    assertEquals(4, new MhaConfig(null, 0.5, false).rotaryDims(8));
    assertEquals(2, new MhaConfig(null, 0.3, false).rotaryDims(8)); // 2.4 rounded down to even
    assertMessage("nKvHeads", () -> new MhaConfig(0, null, null));
    assertMessage("ropeFraction", () -> new MhaConfig(null, 1.5, null));
    assertMessage("ropeFraction", () -> new MhaConfig(null, Double.NaN, null));
    assertMessage("qkNorm", () -> new MhaConfig(null, null, true));
    assertMessage("nKvHeads (3) must divide nHeads (2)", () -> build(new MhaConfig(3, null, null), 1));
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
    assertTrue(found.toString().contains(MhaProvider.class.getName()), "extensions.idx: " + found);
  }

  private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
    var ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
  }
}
