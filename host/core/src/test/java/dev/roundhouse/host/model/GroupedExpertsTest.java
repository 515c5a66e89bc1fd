package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which policies get the grouped routed-expert products: fp32 leaves activations alone and does;
 * so do policies whose activation rounding is row-wise (bf16-mixed, fp16, fp8 with block scales;
 * their values are checked against the per-expert form in {@link GroupedRoundingTest}); policies
 * with per-tensor scales (fp8 "tensor", nvfp4) keep one SwiGLU per expert block. The grouped path's values and gradients are
 * checked against a dense reference by {@link DroplessDispatchTest} and by finite differences in
 * {@link MoeModelGradCheckTest} (both fp32) and in the engine's GroupedProductsTest.
 */
class GroupedExpertsTest {
  static PluginRegistry registry;

  @BeforeAll
  static void open() {
    registry = ModelKit.registry();
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void fp32AndRowwiseRoundingsUseTheGroupedFormPerTensorScalesDoNot() {
    assertTrue(GroupedExperts.applies(ModelKit.fp32(registry)), "fp32");
    assertTrue(GroupedExperts.applies(policy("bf16-mixed")), "bf16-mixed (element-wise cast)");
    assertTrue(GroupedExperts.applies(policy("fp16-dynamic-scale")), "fp16 (element-wise rounding)");
    assertTrue(GroupedExperts.applies(fp8Block()), "fp8 block scales (1 x b, within a row)");
    assertFalse(GroupedExperts.applies(policy("fp8")), "fp8 tensor scaling");
    assertFalse(GroupedExperts.applies(policy("nvfp4")), "nvfp4 (fp32 tensor scale)");
  }

  static PrecisionPolicy policy(String type) {
    return (PrecisionPolicy) registry.build(Kind.PRECISION, ModelKit.typed(type), new PrecisionContext(1, 1), "precision");
  }

  static PrecisionPolicy fp8Block() {
    var cfg = ModelKit.typed("fp8");
    cfg.put("scaling", "block");
    cfg.put("blockSize", 8);
    return (PrecisionPolicy) registry.build(Kind.PRECISION, cfg, new PrecisionContext(1, 1), "precision");
  }
}
