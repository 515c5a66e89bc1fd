package com.example.roundhouse.myplugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** One SGD step on a known gradient. */
class MyOptimizerTest {
  @Test
  void stepMovesAgainstTheGradientScaledByLrAndFactor() {
    Parameter p = new Parameter("w", ParamRole.ROUTED_EXPERT, Nd4j.createFromArray(1.0, 2.0, 3.0));
    p.addGrad(Nd4j.createFromArray(0.5, -1.0, 0.0));
    Optimizer opt = new MyOptimizerProvider().build(new MyOptimizerConfig(0.1), new OptimizerContext("all", List.of(p), q -> false));
    opt.step(0.5); // lr' = 0.05
    assertArrayEquals(new double[] {0.975, 2.05, 3.0}, p.data().toDoubleVector(), 1e-12);
  }

  @Test
  void badLrNamesTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MyOptimizerConfig(-1.0));
    assertTrue(e.getMessage().contains("lr"), e.getMessage());
  }
}
