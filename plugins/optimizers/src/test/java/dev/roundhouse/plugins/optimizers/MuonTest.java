package dev.roundhouse.plugins.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/** Newton-Schulz singular values, RMS matching, the 2-D-only rule, and exact state round trips. */
class MuonTest {
  @Test
  void scalarMapStaysInTheDocumentedBand() {
    for (double s = 0.01; s <= 1.0; s += 1e-4) {
      double f = NewtonSchulz.scalarMap(s, 5);
      assertTrue(f >= NewtonSchulz.BAND_LO && f <= NewtonSchulz.BAND_HI, "s=" + s + " -> " + f);
    }
  }

  @Test
  void orthogonalisedSingularValuesLieInTheBandForWideAndTallMatrices() {
    Nd4j.getRandom().setSeed(7);
    for (long[] shape : new long[][] {{16, 48}, {48, 16}, {24, 24}}) {
      INDArray g = Nd4j.randn(DataType.DOUBLE, shape);
      INDArray o = NewtonSchulz.orthogonalize(g, 5);
      assertEquals(List.of(shape[0], shape[1]), List.of(o.size(0), o.size(1)));
      double[] inSv = singularValues(g);
      double fro = g.norm2Number().doubleValue();
      double[] sv = singularValues(o);
      for (int i = 0; i < sv.length; i++) {
        if (inSv[i] / fro >= 0.01) {
          assertTrue(sv[i] >= NewtonSchulz.BAND_LO && sv[i] <= NewtonSchulz.BAND_HI,
              java.util.Arrays.toString(shape) + " singular value " + sv[i]);
        }
      }
    }
  }

  @Test
  void updateRmsMatchesTheTarget() {
    Nd4j.getRandom().setSeed(3);
    Parameter w = new Parameter("w", dev.roundhouse.tensor.ParamRole.ATTENTION, Nd4j.randn(DataType.DOUBLE, 32, 64));
    INDArray before = w.data().dup();
    w.addGrad(Nd4j.randn(DataType.DOUBLE, 32, 64));
    Optimizer opt = new MuonProvider().build(new MuonConfig(1.0, 0.0, false, null, null, 0.2),
        new OptimizerContext("g", List.of(w), p -> false));
    opt.step(1.0);
    INDArray delta = w.data().sub(before);
    double rms = delta.norm2Number().doubleValue() / Math.sqrt(delta.length());
    assertTrue(rms > 0.2 * 0.68 && rms < 0.2 * 1.14, "update RMS " + rms);
  }

  @Test
  void nonMatrixParametersAreRejectedNamingThem() {
    Parameter v = Ref.param("layers.0.norm1", new double[] {1, 2, 3}, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        new MuonProvider().build(new MuonConfig(null, null, null, null, null, null),
            new OptimizerContext("matrices", List.of(v), p -> true)));
    assertTrue(e.getMessage().contains("'layers.0.norm1'") && e.getMessage().contains("optimizerGroups"), e.getMessage());
  }

  @Test
  void everyOptimizerResumesBitForBit() {
    List<java.util.function.Function<OptimizerContext, Optimizer>> makers = List.of(
        c -> new SgdProvider().build(new SgdConfig(null, null, true, 0.1), c),
        c -> new LionProvider().build(new LionConfig(null, null, null, 0.1), c),
        c -> new AdafactorProvider().build(new AdafactorConfig(null, null, 0.9, null, null, null), c),
        c -> new MuonProvider().build(new MuonConfig(null, null, null, 0.1, null, null), c));
    for (var make : makers) {
      Parameter a = Ref.param("w", new double[] {0.5, -1, 2, 0.1, 0.3, -0.7}, 2, 3);
      Optimizer optA = make.apply(new OptimizerContext("g", List.of(a), p -> true));
      for (int t = 0; t < 2; t++) {
        Ref.setGrad(a, new double[] {0.1 * t, -0.2, 0.3, 0.05, -0.4, 0.2 + t});
        optA.step(1.0);
      }
      Map<String, INDArray> state = optA.state();
      assertEquals(2L, state.get("step").getLong(0));
      Parameter b = Ref.param("w", a.data().dup().reshape(6).toDoubleVector(), 2, 3);
      Optimizer optB = make.apply(new OptimizerContext("g", List.of(b), p -> true));
      optB.loadState(state);
      double[] g = {0.3, 0.1, -0.2, 0.6, 0.0, -0.1};
      Ref.setGrad(a, g);
      Ref.setGrad(b, g);
      optA.step(0.7);
      optB.step(0.7);
      assertEquals(a.data(), b.data(), optA.getClass().getSimpleName());
      state.remove(state.keySet().iterator().next());
      assertThrows(IllegalArgumentException.class, () -> optB.loadState(state), optA.getClass().getSimpleName());
    }
  }

  private static double[] singularValues(INDArray m) {
    INDArray gram = m.rows() <= m.columns() ? m.mmul(m.transpose()) : m.transpose().mmul(m); // test-only
    INDArray ev = Eigen.symmetricGeneralizedEigenvalues(gram.dup(), true);
    double[] out = ev.toDoubleVector();
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.sqrt(Math.max(0, out[i]));
    }
    java.util.Arrays.sort(out);
    return out;
  }
}
