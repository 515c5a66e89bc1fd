package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Depthwise causal 1-D convolution over positions (the short convolutions of linear-attention
 * blocks): y[b, t, c] = sum_{j < K} w[j, c] * x[b, t - j, c], with x = 0 before position 0. Output at
 * t depends only on positions t-K+1 .. t. Legend: B batch, T positions, C channels, K kernel size.
 *
 * <p>Backward: dx[b, t - j, c] += w[j, c] g[b, t, c]; dw[j, c] = sum_{b, t} g[b, t, c] x[b, t - j, c].
 */
public final class CausalConv {
  private CausalConv() {}

  /** x: [B, T, C], w: [K, C] -> [B, T, C]. */
  public static Tensor depthwise(Tensor x, Tensor w) {
    if (x.rank() != 3 || w.rank() != 2 || w.size(1) != x.size(2)) {
      throw new IllegalArgumentException("causalConv expects x [B, T, C] and w [K, C], got x "
          + Arrays.toString(x.shape()) + ", w " + Arrays.toString(w.shape()));
    }
    long t = x.size(1);
    long c = x.size(2);
    int kk = (int) Math.min(w.size(0), t);
    INDArray xd = x.data();
    INDArray out = xd.mul(tap(w.data(), 0, c)); // j = 0
    for (int j = 1; j < kk; j++) {
      out.get(positions(j, t)).addi(xd.get(positions(0, t - j)).mul(tap(w.data(), j, c)));
    }
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        INDArray dx = g.mul(tap(w.data(), 0, c));
        for (int j = 1; j < kk; j++) {
          dx.get(positions(0, t - j)).addi(g.get(positions(j, t)).mul(tap(w.data(), j, c)));
        }
        x.addGradOwned(dx);
      }
      if (w.requiresGrad()) {
        INDArray dw = org.nd4j.linalg.factory.Nd4j.zeros(w.dataType(), w.shape());
        for (int j = 0; j < kk; j++) {
          INDArray prod = g.get(positions(j, t)).mul(xd.get(positions(0, t - j))); // [B, T - j, C]
          dw.getRow(j).assign(prod.sum(0, 1));
        }
        w.addGradOwned(dw);
      }
    }, x, w);
  }

  /** w[j] as [1, 1, C]. */
  private static INDArray tap(INDArray w, int j, long c) {
    return w.getRow(j).reshape(1, 1, c);
  }

  private static INDArrayIndex[] positions(long from, long to) {
    return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all()};
  }
}
