package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.tensor.ParamRole;
import org.junit.jupiter.api.Test;

/**
 * Every policy gets the grouped routed-expert products; which policies declare their activation
 * rounding row-wise (one cast over all routed rows: bf16-mixed, fp16, fp8 with block scales) and
 * which do not (per-tensor scales: fp8 "tensor", nvfp4, rounded per expert block through
 * {@code activationGroups}). Values against the per-expert form: {@link GroupedRoundingTest}. The grouped path's values and gradients are
 * checked against a dense reference by {@link DroplessDispatchTest} and by finite differences in
 * {@link MoeModelGradCheckTest} (both fp32) and in the engine's GroupedProductsTest.
 */
class GroupedExpertsTest extends BuiltInRegistryTest {
  @Test
  void everyPolicyTakesTheGroupedFormAndRowwiseRoundingsAreDeclared() {
    assertTrue(GroupedExperts.applies(ModelKit.fp32(registry)), "fp32");
    assertTrue(GroupedExperts.applies(policy("fp8")), "fp8 (tensor scaling)");
    assertTrue(policy("bf16-mixed").activationRowwise(ParamRole.ROUTED_EXPERT), "bf16-mixed (element-wise cast)");
    assertTrue(policy("fp16-dynamic-scale").activationRowwise(ParamRole.ROUTED_EXPERT), "fp16 (element-wise rounding)");
    assertTrue(fp8Block().activationRowwise(ParamRole.ROUTED_EXPERT), "fp8 block scales (1 x b, within a row)");
    assertFalse(policy("fp8").activationRowwise(ParamRole.ROUTED_EXPERT), "fp8 tensor scaling");
    assertFalse(policy("nvfp4").activationRowwise(ParamRole.ROUTED_EXPERT), "nvfp4 (fp32 tensor scale)");
    assertTrue(policy("nvfp4").activationRowwise(ParamRole.ATTENTION), "nvfp4 leaves attention alone");
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
