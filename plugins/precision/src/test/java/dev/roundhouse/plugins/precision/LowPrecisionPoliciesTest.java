package dev.roundhouse.plugins.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The low-precision policies: which roles they round, straight-through gradients, loss scaling. */
class LowPrecisionPoliciesTest {
  private static final PrecisionContext CTX = new PrecisionContext(2, 1);

  @Test
  void bf16RoundsListedRolesOnlyAndPassesGradientsStraightThrough() {
    PrecisionPolicy p = new Bf16MixedProvider().build(new Bf16MixedConfig(null), CTX);
    Parameter w = new Parameter("w", ParamRole.ATTENTION, Nd4j.createFromArray(new float[][] {{1.00390625f, 3f}}));
    Parameter router = new Parameter("r", ParamRole.ROUTER, Nd4j.createFromArray(new float[][] {{1.00390625f, 3f}}));
    assertSame(router, p.weight(router));
    try (StepArena arena = StepArena.open("test")) {
      Tensor x = Tensor.constant(Nd4j.createFromArray(new float[][] {{1f, 1f}}));
      Tensor wq = p.weight(w);
      assertNotSame(w, wq);
      assertEquals(1.0, wq.data().getDouble(0), 0.0); // 1 + 2^-8 is a tie between 1 and 1 + 2^-7: even -> 1
      Tensor y = MatOps.linearT(p.activation(x, ParamRole.ATTENTION), wq); // [1, 1] = 1*1 + 1*3
      assertEquals(4.0, y.item(), 0.0);
      Reductions.sumAll(y).backward();
    }
    assertEquals(1.0, w.grad().getDouble(0), 0.0); // d/dw of x.w with x = 1: straight through
    Map<String, String> d = p.describe();
    assertTrue(d.get("attention").startsWith("bf16"), d.get("attention"));
    assertTrue(d.get("router").startsWith("fp32"), d.get("router"));
    assertTrue(d.get("head").startsWith("fp32"), d.get("head"));
    assertTrue(d.get("bf16_products").equals(dev.roundhouse.tensor.Bf16.describe()), d.toString());
  }

  @Test
  void bf16ComputesInBf16AndSaysWhenProductsAreNotNative() {
    PrecisionPolicy p = new Bf16MixedProvider().build(new Bf16MixedConfig(List.of("routed_expert")), CTX);
    Parameter e = new Parameter("e", ParamRole.ROUTED_EXPERT, Nd4j.rand(DataType.FLOAT, 6, 8));
    Parameter r = new Parameter("r", ParamRole.ROUTER, Nd4j.rand(DataType.FLOAT, 6, 8));
    try (StepArena arena = StepArena.open("test")) {
      Tensor x = Tensor.constant(Nd4j.rand(DataType.FLOAT, 4, 8));
      assertEquals(DataType.BFLOAT16, p.weight(e).dataType()); // the product gets bf16 operands
      assertEquals(DataType.BFLOAT16, p.activation(x, ParamRole.ROUTED_EXPERT).dataType());
      assertSame(x, p.activation(x, ParamRole.ATTENTION)); // not listed: fp32
      assertSame(r, p.weight(r)); // router: fp32
      Tensor y = MatOps.linearT(p.activation(x, ParamRole.ROUTED_EXPERT), p.weight(e)); // [4, 6]
      assertEquals(DataType.FLOAT, y.dataType());
      Reductions.sumAll(y).backward();
    }
    assertEquals(DataType.FLOAT, e.grad().dataType()); // master gradient stays fp32
    assertTrue(e.grad().sumNumber().doubleValue() > 0);
    assertEquals(null, Bf16MixedProvider.notNativeLine(dev.roundhouse.tensor.Bf16.Mode.NATIVE));
    String line = Bf16MixedProvider.notNativeLine(dev.roundhouse.tensor.Bf16.Mode.EMULATED);
    assertTrue(line.startsWith("bf16-mixed: bf16 products are not native on this machine: not native"), line);
    assertFalse(line.contains("\n"));
  }

  @Test
  void fp8AndNvfp4DefaultToRoutedExpertsOnly() {
    for (PrecisionPolicy p : List.of(new Fp8Provider().build(new Fp8Config(null, null, null), CTX),
        new Fp8Provider().build(new Fp8Config(null, "block", 16), CTX),
        new Nvfp4Provider().build(new Nvfp4Config(null), CTX))) {
      Parameter e = new Parameter("e", ParamRole.ROUTED_EXPERT, Nd4j.createFromArray(new float[][] {{0.3f, 0.7f, 1.1f, 5f}}));
      Parameter a = new Parameter("a", ParamRole.ATTENTION, Nd4j.createFromArray(new float[][] {{0.3f, 0.7f, 1.1f, 5f}}));
      assertSame(a, p.weight(a));
      try (StepArena arena = StepArena.open("test")) {
        INDArray q = p.weight(e).data();
        assertEquals(5.0, q.getDouble(3), 1e-6); // amax maps exactly onto the format's max
        assertFalse(q.equals(e.data()), "expert weight must be rounded");
      }
      assertTrue(p.describe().get("routed_expert").contains("fp8") || p.describe().get("routed_expert").contains("nvfp4"));
      assertTrue(p.describe().get("shared_expert").startsWith("fp32"));
    }
  }

  @Test
  void fp8ActivationGradientsAreE5m2() {
    PrecisionPolicy p = new Fp8Provider().build(new Fp8Config(List.of("attention"), null, null), CTX);
    Parameter x = new Parameter("x", ParamRole.OTHER, Nd4j.createFromArray(new float[] {1f, 2f, 3f}));
    try (StepArena arena = StepArena.open("test")) {
      Tensor y = p.activation(x, ParamRole.ATTENTION);
      y.backward(Nd4j.createFromArray(new float[] {1.1f, 0.3f, 57344f}));
    }
    // per-tensor scale = 57344 / 57344 = 1: e5m2 has 2 fraction bits: 1.1 -> 1.0, 0.3 -> 0.3125
    assertEquals(1.0, x.grad().getDouble(0), 0.0);
    assertEquals(0.3125, x.grad().getDouble(1), 0.0);
    assertEquals(57344.0, x.grad().getDouble(2), 0.0);
  }

  @Test
  void injectedInfGradientSkipsTheStepHalvesTheScaleAndLeavesWeightsAlone() {
    Fp16DynamicScaleConfig cfg = new Fp16DynamicScaleConfig(null, 1024.0, 2, null, null, null);
    PrecisionPolicy p = new Fp16DynamicScaleProvider().build(cfg, CTX);
    Parameter w = new Parameter("w", ParamRole.ATTENTION, Nd4j.createFromArray(1f, 2f, 3f));
    INDArray before = w.data().dup();
    assertEquals(1024.0, p.lossScale());
    w.grad().assign(Nd4j.createFromArray(1f, Float.POSITIVE_INFINITY, 3f));
    assertFalse(p.afterBackward(List.of(w)));
    assertEquals(512.0, p.lossScale());
    assertEquals(before, w.data());

    w.grad().assign(Nd4j.createFromArray(512f, 1024f, -256f));
    assertTrue(p.afterBackward(List.of(w)));
    assertEquals(Nd4j.createFromArray(1f, 2f, -0.5f), w.grad()); // unscaled in place
    assertEquals(512.0, p.lossScale());
    w.grad().assign(1f);
    assertTrue(p.afterBackward(List.of(w))); // second clean step in a row: growth
    assertEquals(1024.0, p.lossScale());

    Map<String, INDArray> state = p.state();
    PrecisionPolicy q = new Fp16DynamicScaleProvider().build(cfg, CTX);
    q.loadState(state);
    assertEquals(1024.0, q.lossScale());
    assertEquals(state.get("good_steps"), q.state().get("good_steps"));
  }

  @Test
  void fp16GradientOverflowBecomesInfinity() {
    PrecisionPolicy p = new Fp16DynamicScaleProvider().build(new Fp16DynamicScaleConfig(null, null, null, null, null, null), CTX);
    Parameter w = new Parameter("w", ParamRole.DENSE_FFN, Nd4j.createFromArray(1f, 2f));
    try (StepArena arena = StepArena.open("test")) {
      p.weight(w).backward(Nd4j.createFromArray(70000f, 1f));
    }
    assertEquals(Double.POSITIVE_INFINITY, w.grad().getDouble(0));
    assertFalse(p.afterBackward(List.of(w)));
    assertEquals(32768.0, p.lossScale());
  }

  @Test
  void configErrorsNameTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Fp8Config(List.of("router"), null, null))
        .getMessage().startsWith("roles[0]:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Nvfp4Config(List.of("experts")))
        .getMessage().startsWith("roles[0]: unknown role"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Fp8Config(null, "row", null))
        .getMessage().startsWith("scaling:"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new Fp16DynamicScaleConfig(null, null, 0, null, null, null)).getMessage().startsWith("growthInterval:"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new Fp16DynamicScaleConfig(null, null, null, null, 1.0, null)).getMessage().startsWith("backoffFactor:"));
  }

  static {
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
  }
}
