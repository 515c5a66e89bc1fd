package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.tensor.MatOps;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Approximate orthogonalisation of a matrix by the quintic Newton-Schulz iteration used by Muon
 * (Jordan et al. 2024): X = G / (||G||_F + 1e-7), then {@code steps} times X = a X + (b A + c A^2) X
 * with A = X X^T and (a, b, c) = (3.4445, -4.7750, 2.0315). Runs on the wide orientation (rows <=
 * cols), transposing a tall input and back.
 *
 * <p>Singular-value band: the iteration maps each singular value s of the normalised input through
 * f(s) = a s + b s^3 + c s^5 five times. For s in [0.01, 1] the result lies in [{@value #BAND_LO},
 * {@value #BAND_HI}] (checked by iterating f on a grid, see MuonTest); smaller singular values may land
 * outside it (the iteration is not meant to converge to exactly 1).
 */
public final class NewtonSchulz {
  public static final double A = 3.4445;
  public static final double B = -4.7750;
  public static final double C = 2.0315;
  /** Lower edge of the documented band for normalised singular values in [0.01, 1]. */
  public static final double BAND_LO = 0.68;
  /** Upper edge of the documented band. */
  public static final double BAND_HI = 1.14;

  private NewtonSchulz() {}

  /** g: [m, n] -> an approximately orthogonal [m, n] (new array; g untouched). */
  public static INDArray orthogonalize(INDArray g, int steps) {
    if (g.rank() != 2) {
      throw new IllegalArgumentException("Newton-Schulz needs a matrix, got rank " + g.rank());
    }
    boolean tall = g.size(0) > g.size(1);
    INDArray x = (tall ? g.transpose() : g).dup('c'); // [r, c], r <= c
    x.divi(x.norm2Number().doubleValue() + 1e-7);
    for (int k = 0; k < steps; k++) {
      INDArray a = MatOps.gemm(x, x, false, true); // A = X X^T: [r, r]
      INDArray bm = MatOps.gemm(a, a, false, false).muli(C).addi(a.muli(B)); // b A + c A^2
      x = MatOps.gemm(bm, x, false, false).addi(x.muli(A)); // a X + B X
    }
    return tall ? x.transpose().dup('c') : x;
  }

  /** The scalar map f applied {@code steps} times: where singular value s ends up. */
  public static double scalarMap(double s, int steps) {
    for (int k = 0; k < steps; k++) {
      s = A * s + B * s * s * s + C * s * s * s * s * s;
    }
    return s;
  }
}
