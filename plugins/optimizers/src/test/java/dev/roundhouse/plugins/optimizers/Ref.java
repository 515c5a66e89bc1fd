package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Scalar reference helpers: row-major double matrices and DOUBLE parameters built from them. */
final class Ref {
  private Ref() {}

  static Parameter param(String name, double[] values, long... shape) {
    return new Parameter(name, ParamRole.OTHER, Nd4j.createFromArray(values.clone()).reshape(shape).castTo(DataType.DOUBLE));
  }

  static void setGrad(Parameter p, double[] g) {
    p.zeroGrad();
    p.addGrad(Nd4j.createFromArray(g.clone()).reshape(p.shape()));
  }

  /** a [m, k] x b [k, n], row-major. */
  static double[] mm(double[] a, double[] b, int m, int k, int n) {
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int t = 0; t < k; t++) {
          s += a[i * k + t] * b[t * n + j];
        }
        out[i * n + j] = s;
      }
    }
    return out;
  }

  static double[] transpose(double[] a, int m, int n) {
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        out[j * m + i] = a[i * n + j];
      }
    }
    return out;
  }

  /** Quintic Newton-Schulz on an [m, n] row-major matrix, written out element by element. */
  static double[] newtonSchulz(double[] g, int m, int n, int steps) {
    boolean tall = m > n;
    int r = tall ? n : m;
    int c = tall ? m : n;
    double[] x = tall ? transpose(g, m, n) : g.clone();
    double norm = 0;
    for (double v : x) {
      norm += v * v;
    }
    norm = Math.sqrt(norm) + 1e-7;
    for (int i = 0; i < x.length; i++) {
      x[i] /= norm;
    }
    for (int k = 0; k < steps; k++) {
      double[] a = mm(x, transpose(x, r, c), r, c, r);
      double[] aa = mm(a, a, r, r, r);
      double[] bm = new double[r * r];
      for (int i = 0; i < bm.length; i++) {
        bm[i] = -4.7750 * a[i] + 2.0315 * aa[i];
      }
      double[] bx = mm(bm, x, r, r, c);
      for (int i = 0; i < x.length; i++) {
        x[i] = 3.4445 * x[i] + bx[i];
      }
    }
    return tall ? transpose(x, r, c) : x;
  }

  static void assertClose(double[] want, Parameter p, double tol, String what) {
    double[] got = p.data().dup().reshape(p.numel()).toDoubleVector();
    for (int i = 0; i < want.length; i++) {
      org.junit.jupiter.api.Assertions.assertEquals(want[i], got[i], tol, what + " element " + i);
    }
  }
}
