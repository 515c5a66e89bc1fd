package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * RMSNorm and LayerNorm over the last dim with fused backward passes. Legend: x [..., d] is viewed
 * as R = prod(...) rows of d; r [R, 1] is the per-row reciprocal std, xhat [R, d] the normalised x.
 */
public final class Norms {
  private Norms() {}

  /**
   * y = x / sqrt(mean(x^2) + eps) * gain. x: [..., d], gain: [d]. Backward: dxhat = g * gain,
   * dx = r * (dxhat - xhat * mean(dxhat * xhat)), dgain = sum over rows of g * xhat.
   */
  public static Tensor rmsNorm(Tensor x, Tensor gain, double eps) {
    long d = checkVector("gain", gain, x);
    long[] shape = x.shape();
    INDArray r; // [R, 1], kept for backward
    INDArray y; // [R, d], the output
    // x^2 and xhat are temporaries (op scratch): backward recomputes xhat = x r from the saved x
    try (OpScratch s = OpScratch.open()) {
      INDArray x2 = x.data().reshape('c', x.data().length() / d, d); // [R, d]
      INDArray sums = AxisSums.rows(x2.mul(x2)); // [R, 1]
      r = s.parent(() -> Transforms.pow(sums.divi(d).addi(eps), -0.5, true));
      INDArray xhat = x2.mul(r);
      y = s.parent(() -> xhat.mulRowVector(gain.data()).reshape('c', shape));
    }
    return Tensor.result(y, g -> {
      INDArray x2 = x.data().reshape('c', x.data().length() / d, d); // [R, d]
      backward(g, x2.mul(r), r, x, gain, null, false, shape);
    }, x, gain);
  }

  /**
   * y = (x - mean) / sqrt(var + eps) * gain + bias (biased variance). x: [..., d], gain: [d], bias:
   * [d] or null. Backward: dx = r * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
   */
  public static Tensor layerNorm(Tensor x, Tensor gain, Tensor bias, double eps) {
    long d = checkVector("gain", gain, x);
    if (bias != null) {
      checkVector("bias", bias, x);
    }
    INDArray x2 = x.data().reshape('c', x.data().length() / d, d); // [R, d]
    INDArray xc = x2.sub(x2.mean(true, 1));
    INDArray r = Transforms.pow(xc.mul(xc).mean(true, 1).addi(eps), -0.5, false); // [R, 1]
    INDArray xhat = xc.muli(r);
    return affine(x, xhat, r, gain, bias, true);
  }

  /** y = xhat * gain (+ bias) and the shared backward; centred selects the LayerNorm formula. */
  private static Tensor affine(Tensor x, INDArray xhat, INDArray r, Tensor gain, Tensor bias, boolean centred) {
    INDArray y = xhat.mulRowVector(gain.data());
    if (bias != null) {
      y.addiRowVector(bias.data());
    }
    long[] shape = x.shape();
    return Tensor.result(y.reshape('c', shape), g -> backward(g, xhat, r, x, gain, bias, centred, shape), x, gain, bias);
  }

  /** The shared backward: g [..., d], xhat [R, d], r [R, 1]; centred selects the LayerNorm formula. */
  private static void backward(INDArray g, INDArray xhat, INDArray r, Tensor x, Tensor gain, Tensor bias,
      boolean centred, long[] shape) {
    INDArray g2 = g.reshape('c', xhat.size(0), xhat.size(1)); // [R, d]
    if (gain.requiresGrad()) {
      gain.addGradOwned(AxisSums.columns(g2.mul(xhat)).reshape(xhat.size(1)));
    }
    if (bias != null && bias.requiresGrad()) {
      bias.addGradOwned(AxisSums.columns(g2).reshape(xhat.size(1)));
    }
    if (x.requiresGrad()) {
      INDArray dxhat = g2.mulRowVector(gain.data());
      INDArray dot = AxisSums.rows(dxhat.mul(xhat)).divi(xhat.size(1)); // [R, 1] = mean(dxhat * xhat)
      INDArray meanDxhat = centred ? dxhat.mean(true, 1) : null; // [R, 1]
      INDArray dx = dxhat.subi(xhat.mul(dot));
      if (centred) {
        dx.subi(meanDxhat);
      }
      x.addGradOwned(dx.muli(r).reshape('c', shape));
    }
  }

  private static long checkVector(String name, Tensor p, Tensor x) {
    long d = x.size(x.rank() - 1);
    if (p.rank() != 1 || p.size(0) != d) {
      throw new IllegalArgumentException(name + " must have shape [" + d + "] for x " + Arrays.toString(x.shape())
          + ", got " + Arrays.toString(p.shape()));
    }
    return d;
  }
}
