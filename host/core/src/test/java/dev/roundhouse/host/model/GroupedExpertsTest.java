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
 * policies that round or scale activations (bf16-mixed, fp8 experts) keep one SwiGLU per expert
 * block, so their per-block values are unchanged. The grouped path's values and gradients are
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
  void fp32UsesTheGroupedFormAndActivationRoundingPoliciesDoNot() {
    assertTrue(GroupedExperts.applies(ModelKit.fp32(registry)), "fp32");
    assertFalse(GroupedExperts.applies(policy("bf16-mixed")), "bf16-mixed");
    assertFalse(GroupedExperts.applies(policy("fp8")), "fp8");
  }

  private static PrecisionPolicy policy(String type) {
    return (PrecisionPolicy) registry.build(Kind.PRECISION, ModelKit.typed(type), new PrecisionContext(1, 1), "precision");
  }
}
