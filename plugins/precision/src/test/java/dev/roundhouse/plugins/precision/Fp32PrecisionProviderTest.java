package dev.roundhouse.plugins.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class Fp32PrecisionProviderTest {
  @Test
  void identityPolicyWithoutScaling() {
    Fp32PrecisionProvider provider = new Fp32PrecisionProvider();
    assertEquals("fp32", provider.id());
    assertEquals(Fp32Config.class, provider.configType());
    PrecisionPolicy policy = provider.build(new Fp32Config(), new PrecisionContext(2, 7));
    Parameter w = new Parameter("w", ParamRole.ATTENTION, Nd4j.createFromArray(1f, 2f, 3f));
    Tensor x = Tensor.constant(Nd4j.createFromArray(4f, 5f));
    assertSame(w, policy.weight(w));
    assertSame(x, policy.activation(x, ParamRole.ROUTED_EXPERT));
    assertEquals(1.0, policy.lossScale());
    assertTrue(policy.afterBackward(List.of(w)));
    assertEquals(ParamRole.values().length + 1, policy.describe().size());
    policy.describe().forEach((role, what) -> assertTrue(what.contains("fp32") || role.equals("loss_scale"), role));
    assertTrue(policy.state().isEmpty());
  }
}
