package com.example.roundhouse.myprecision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.testing.DoublePrecision;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.factory.Nd4j;

/** my-precision: identity weights, loss scale applied and undone, non-finite gradients skip the step. */
@ExtendWith(DoublePrecision.class)
class MyPrecisionPolicyTest {
  private static PrecisionPolicy policy(double scale) {
    return new MyPrecisionProvider().build(new MyPrecisionConfig(scale), new PrecisionContext(1, 0));
  }

  @Test
  void unscalesGradientsAndKeepsWeights() {
    PrecisionPolicy p = policy(1024);
    Parameter w = new Parameter("w", ParamRole.OTHER, Nd4j.createFromArray(1.0, 2.0));
    assertSame(w, p.weight(w));
    assertEquals(1024, p.lossScale());
    w.addGrad(Nd4j.createFromArray(2048.0, -512.0));
    assertTrue(p.afterBackward(List.of(w)));
    assertEquals(2.0, w.grad().getDouble(0), 0);
    assertEquals(-0.5, w.grad().getDouble(1), 0);
  }

  @Test
  void nonFiniteGradientSkipsTheStepAndBadScaleNamesTheField() {
    Parameter w = new Parameter("w", ParamRole.OTHER, Nd4j.createFromArray(1.0));
    w.addGrad(Nd4j.createFromArray(Double.POSITIVE_INFINITY));
    assertFalse(policy(8).afterBackward(List.of(w)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MyPrecisionConfig(-1.0));
    assertTrue(e.getMessage().startsWith("lossScale:"), e.getMessage());
  }
}
