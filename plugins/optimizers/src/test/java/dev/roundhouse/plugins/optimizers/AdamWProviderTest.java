package dev.roundhouse.plugins.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** AdamW against a hand-written scalar reference, in DOUBLE. */
class AdamWProviderTest {
  private static final double[] P0 = {0.5, -1.25, 2.0};
  private static final double[][] GRADS = {{0.1, -0.2, 0.3}, {-0.05, 0.4, 0.0}, {0.2, 0.2, -0.7}};
  private static final double[] LR_FACTORS = {1.0, 0.5, 1.0};

  private final AdamWConfig cfg = new AdamWConfig(0.01, 0.9, 0.95, 1e-8, 0.1);

  @Test
  void matchesReferenceWithDecay() {
    checkAgainstReference(true);
  }

  @Test
  void matchesReferenceWithoutDecay() {
    checkAgainstReference(false);
  }

  private void checkAgainstReference(boolean decays) {
    Parameter p = param("w", P0);
    Optimizer opt = new AdamWProvider().build(cfg, new OptimizerContext("g", List.of(p), x -> decays));
    double[] ref = P0.clone();
    double[] m = new double[3];
    double[] v = new double[3];
    for (int t = 1; t <= 3; t++) {
      setGrad(p, GRADS[t - 1]);
      opt.step(LR_FACTORS[t - 1]);
      double lr = cfg.lr() * LR_FACTORS[t - 1];
      for (int i = 0; i < 3; i++) {
        double g = GRADS[t - 1][i];
        if (decays) {
          ref[i] -= lr * cfg.weightDecay() * ref[i];
        }
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.95 * v[i] + 0.05 * g * g;
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.95, t));
        ref[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(ref[i], p.data().getDouble(i), 1e-7, "step " + t + " element " + i);
      }
    }
    // the update moved the parameter, and decay made a difference of the expected sign
    assertTrue(Math.abs(p.data().getDouble(2) - P0[2]) > 1e-3);
  }

  @Test
  void decayOnlyForSelectedParameters() {
    Parameter w = param("w", P0);
    Parameter b = param("b", P0);
    Optimizer opt = new AdamWProvider().build(cfg, new OptimizerContext("g", List.of(w, b), x -> x == w));
    setGrad(w, new double[3]);
    setGrad(b, new double[3]);
    opt.step(1.0); // zero gradient: only decay moves anything
    for (int i = 0; i < 3; i++) {
      assertEquals(P0[i] * (1 - 0.01 * 0.1), w.data().getDouble(i), 1e-12);
      assertEquals(P0[i], b.data().getDouble(i), 0.0);
    }
  }

  @Test
  void stateRoundTripContinuesIdentically() {
    Parameter a = param("layer0.w", P0);
    Optimizer optA = new AdamWProvider().build(cfg, new OptimizerContext("g", List.of(a), x -> true));
    for (int t = 0; t < 2; t++) {
      setGrad(a, GRADS[t]);
      optA.step(1.0);
    }
    Map<String, INDArray> state = optA.state();
    assertEquals(Set.of("layer0.w/m", "layer0.w/v", "step"), state.keySet());
    assertEquals(2L, state.get("step").getLong(0));

    Parameter b = param("layer0.w", a.data().toDoubleVector());
    Optimizer optB = new AdamWProvider().build(cfg, new OptimizerContext("g", List.of(b), x -> true));
    optB.loadState(state);
    assertEquals(state.get("layer0.w/m"), optB.state().get("layer0.w/m"));
    setGrad(a, GRADS[2]);
    setGrad(b, GRADS[2]);
    optA.step(1.0);
    optB.step(1.0);
    assertEquals(a.data(), b.data()); // bit-for-bit: same state, same step count
    assertEquals(3L, optB.state().get("step").getLong(0));
  }

  @Test
  void loadStateNamesMissingKey() {
    Parameter a = param("w", P0);
    Optimizer opt = new AdamWProvider().build(cfg, new OptimizerContext("g", List.of(a), x -> true));
    Map<String, INDArray> state = new java.util.HashMap<>(opt.state());
    state.remove("w/v");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(state));
    assertTrue(e.getMessage().contains("'w/v'"), e.getMessage());
  }

  @Test
  void configDefaultsAndValidationNameTheField() {
    AdamWConfig d = new AdamWConfig(null, null, null, null, null);
    assertEquals(new AdamWConfig(1e-3, 0.9, 0.95, 1e-8, 0.0), d);
    assertEquals(d, AdamWConfig.defaults());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(-1.0, null, null, null, null))
        .getMessage().startsWith("lr:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(null, 1.0, null, null, null))
        .getMessage().startsWith("beta1:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(null, null, -0.1, null, null))
        .getMessage().startsWith("beta2:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(null, null, null, 0.0, null))
        .getMessage().startsWith("eps:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(null, null, null, null, -1e-3))
        .getMessage().startsWith("weightDecay:"));
  }

  @Test
  void lrFactorZeroLeavesParametersButAdvancesMoments() {
    // a large eps: libnd4j's fused op falls back to eps as its step size when lr is 0, which would
    // move the parameters by ~eps if the update were applied
    AdamWConfig bigEps = new AdamWConfig(0.01, 0.9, 0.95, 0.5, 0.0);
    Parameter a = param("w", P0);
    Optimizer opt = new AdamWProvider().build(bigEps, new OptimizerContext("g", List.of(a), x -> true));
    setGrad(a, GRADS[0]);
    opt.step(0.0);
    assertEquals(Nd4j.createFromArray(P0.clone()), a.data());
    assertEquals(0.1 * GRADS[0][1], opt.state().get("w/m").getDouble(1), 1e-12);
  }

  private static Parameter param(String name, double[] values) {
    return new Parameter(name, ParamRole.OTHER, Nd4j.createFromArray(values.clone()));
  }

  private static void setGrad(Parameter p, double[] g) {
    p.zeroGrad();
    p.addGrad(Nd4j.createFromArray(g.clone()).castTo(DataType.DOUBLE));
  }
}
