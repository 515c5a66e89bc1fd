package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each optimizer against a hand-written scalar reference on a 3-parameter example (a [2, 3] matrix
 * that decays, a [3] vector and a [1] scalar that do not), three steps with lr factors 1, 0.5, 1,
 * in DOUBLE, to 1e-7; then a step with lr factor 0 (parameters stay, moments still advance) and
 * a last step with factor 1 that shows the moments did advance.
 */
class OptimizerReferenceTest {
  static final double[] LR_FACTORS = {1.0, 0.5, 1.0, 0.0, 1.0};
  static final int[] SIZES = {6, 3, 1};

  /** Deterministic gradient of parameter k at step t (1-based), element i. */
  static double grad(int k, int t, int i) {
    return 0.5 * Math.sin(1.3 * i + 0.7 * t + 2.1 * k) + (k == 2 ? 0.2 : 0.0);
  }

  static double init(int k, int i) {
    return Math.cos(0.9 * i + 1.7 * k);
  }

  List<Parameter> params() {
    return List.of(Ref.param("w", vals(0), 2, 3), Ref.param("v", vals(1), 3), Ref.param("s", vals(2), 1));
  }

  static double[] vals(int k) {
    double[] out = new double[SIZES[k]];
    for (int i = 0; i < out.length; i++) {
      out[i] = init(k, i);
    }
    return out;
  }

  /** Scalar reference of one optimizer: updates ref[k] in place for step t with lr, given grads. */
  interface Reference {
    void step(int k, double[] p, double[] g, int t, double lr, boolean decays);
  }

  void check(Optimizer opt, List<Parameter> ps, double baseLr, Reference ref) {
    double[][] want = {vals(0), vals(1), vals(2)};
    for (int t = 1; t <= LR_FACTORS.length; t++) {
      for (int k = 0; k < 3; k++) {
        double[] g = new double[SIZES[k]];
        for (int i = 0; i < g.length; i++) {
          g[i] = grad(k, t, i);
        }
        Ref.setGrad(ps.get(k), g);
        ref.step(k, want[k], g, t, baseLr * LR_FACTORS[t - 1], k == 0);
      }
      opt.step(LR_FACTORS[t - 1]);
      for (int k = 0; k < 3; k++) {
        Ref.assertClose(want[k], ps.get(k), 1e-7, "step " + t + " param " + ps.get(k).name());
      }
    }
    // the updates moved every parameter
    for (int k = 0; k < 3; k++) {
      org.junit.jupiter.api.Assertions.assertNotEquals(init(k, 0), ps.get(k).data().getDouble(0), 1e-4);
    }
  }

  static OptimizerContext ctx(List<Parameter> ps) {
    return new OptimizerContext("g", ps, p -> p.rank() >= 2);
  }

  @Test
  void sgdWithNesterovMomentum() {
    SgdConfig cfg = new SgdConfig(0.1, 0.9, true, 0.05);
    List<Parameter> ps = params();
    double[][] buf = {new double[6], new double[3], new double[1]};
    check(new SgdProvider().build(cfg, ctx(ps)), ps, 0.1, (k, p, g, t, lr, decays) -> {
      for (int i = 0; i < p.length; i++) {
        if (decays) {
          p[i] *= 1 - lr * 0.05;
        }
        buf[k][i] = 0.9 * buf[k][i] + g[i];
        p[i] -= lr * (g[i] + 0.9 * buf[k][i]);
      }
    });
  }

  @Test
  void sgdWithPlainMomentumAndWithout() {
    List<Parameter> ps = params();
    double[][] buf = {new double[6], new double[3], new double[1]};
    check(new SgdProvider().build(new SgdConfig(0.2, 0.5, false, null), ctx(ps)), ps, 0.2, (k, p, g, t, lr, d) -> {
      for (int i = 0; i < p.length; i++) {
        buf[k][i] = 0.5 * buf[k][i] + g[i];
        p[i] -= lr * buf[k][i];
      }
    });
    List<Parameter> qs = params();
    check(new SgdProvider().build(new SgdConfig(0.2, 0.0, false, null), ctx(qs)), qs, 0.2, (k, p, g, t, lr, d) -> {
      for (int i = 0; i < p.length; i++) {
        p[i] -= lr * g[i];
      }
    });
  }

  @Test
  void lion() {
    LionConfig cfg = new LionConfig(0.01, 0.9, 0.99, 0.1);
    List<Parameter> ps = params();
    double[][] m = {new double[6], new double[3], new double[1]};
    check(new LionProvider().build(cfg, ctx(ps)), ps, 0.01, (k, p, g, t, lr, decays) -> {
      for (int i = 0; i < p.length; i++) {
        double c = 0.9 * m[k][i] + 0.1 * g[i];
        if (decays) {
          p[i] *= 1 - lr * 0.1;
        }
        p[i] -= lr * Math.signum(c);
        m[k][i] = 0.99 * m[k][i] + 0.01 * g[i];
      }
    });
  }

  @Test
  void adafactorFactoredForMatricesWithMomentumAndClipping() {
    AdafactorConfig cfg = new AdafactorConfig(0.05, -0.8, 0.9, 1e-30, 1.0, 0.1);
    List<Parameter> ps = params();
    double[] r = new double[2];
    double[] c = new double[3];
    double[][] v = {null, new double[3], new double[1]};
    double[][] m = {new double[6], new double[3], new double[1]};
    check(new AdafactorProvider().build(cfg, ctx(ps)), ps, 0.05, (k, p, g, t, lr, decays) -> {
      double beta2 = 1 - Math.pow(t, -0.8);
      double[] u = new double[p.length];
      if (k == 0) {
        for (int i = 0; i < 2; i++) {
          double s = 0;
          for (int j = 0; j < 3; j++) {
            s += g[i * 3 + j] * g[i * 3 + j] + 1e-30;
          }
          r[i] = beta2 * r[i] + (1 - beta2) * s / 3;
        }
        for (int j = 0; j < 3; j++) {
          double s = 0;
          for (int i = 0; i < 2; i++) {
            s += g[i * 3 + j] * g[i * 3 + j] + 1e-30;
          }
          c[j] = beta2 * c[j] + (1 - beta2) * s / 2;
        }
        double rMean = (r[0] + r[1]) / 2;
        for (int i = 0; i < 2; i++) {
          for (int j = 0; j < 3; j++) {
            u[i * 3 + j] = g[i * 3 + j] / Math.sqrt(r[i] * c[j] / rMean);
          }
        }
      } else {
        for (int i = 0; i < p.length; i++) {
          v[k][i] = beta2 * v[k][i] + (1 - beta2) * (g[i] * g[i] + 1e-30);
          u[i] = g[i] / Math.sqrt(v[k][i]);
        }
      }
      double ss = 0;
      for (double x : u) {
        ss += x * x;
      }
      double clip = Math.max(1.0, Math.sqrt(ss / u.length) / 1.0);
      for (int i = 0; i < p.length; i++) {
        m[k][i] = 0.9 * m[k][i] + 0.1 * (u[i] / clip);
        if (decays) {
          p[i] *= 1 - lr * 0.1;
        }
        p[i] -= lr * m[k][i];
      }
    });
  }

  @Test
  void muonOnThreeMatrices() {
    MuonConfig cfg = new MuonConfig(0.02, 0.95, true, 0.1, 5, 0.2);
    List<Parameter> ps = List.of(Ref.param("a", vals6(0), 2, 3), Ref.param("b", vals6(1), 3, 2),
        Ref.param("c", new double[] {0.3, -0.2, 0.5, 0.9}, 2, 2));
    int[][] shapes = {{2, 3}, {3, 2}, {2, 2}};
    double[][] want = {vals6(0), vals6(1), {0.3, -0.2, 0.5, 0.9}};
    double[][] buf = {new double[6], new double[6], new double[4]};
    Optimizer opt = new MuonProvider().build(cfg, new OptimizerContext("m", ps, p -> !p.name().equals("c")));
    for (int t = 1; t <= 3; t++) {
      double lr = 0.02 * LR_FACTORS[t - 1];
      for (int k = 0; k < 3; k++) {
        double[] g = new double[want[k].length];
        for (int i = 0; i < g.length; i++) {
          g[i] = grad(k, t, i);
        }
        Ref.setGrad(ps.get(k), g);
        double[] u = new double[g.length];
        for (int i = 0; i < g.length; i++) {
          buf[k][i] = 0.95 * buf[k][i] + g[i];
          u[i] = g[i] + 0.95 * buf[k][i];
        }
        double[] o = Ref.newtonSchulz(u, shapes[k][0], shapes[k][1], 5);
        double scale = 0.2 * Math.sqrt(Math.max(shapes[k][0], shapes[k][1]));
        for (int i = 0; i < g.length; i++) {
          if (k != 2) {
            want[k][i] *= 1 - lr * 0.1;
          }
          want[k][i] -= lr * scale * o[i];
        }
      }
      opt.step(LR_FACTORS[t - 1]);
      for (int k = 0; k < 3; k++) {
        Ref.assertClose(want[k], ps.get(k), 1e-7, "muon step " + t + " param " + ps.get(k).name());
      }
    }
  }

  static double[] vals6(int k) {
    double[] out = new double[6];
    for (int i = 0; i < 6; i++) {
      out[i] = init(k, i);
    }
    return out;
  }
}
