package dev.roundhouse.host.train;

import dev.roundhouse.api.ParallelLoop;
import dev.roundhouse.tensor.Parameter;
import java.util.List;

/** Gradient norm, clipping and finiteness checks over all parameters (whole-array ops). */
public final class GradTools {
  private GradTools() {}

  /** Global L2 norm of all gradients. */
  public static double globalNorm(List<Parameter> params) {
    return globalNorm(params, ParallelLoop.SEQUENTIAL);
  }

  /** Scales every gradient by maxNorm / norm when norm > maxNorm. Returns the norm before clipping. */
  public static double clip(List<Parameter> params, double maxNorm) {
    return clip(params, globalNorm(params), maxNorm);
  }

  /** As {@link #clip(List, double)} with the norm already computed by {@link #globalNorm}. */
  public static double clip(List<Parameter> params, double norm, double maxNorm) {
    return clip(params, norm, maxNorm, ParallelLoop.SEQUENTIAL);
  }

  /** The first parameter (in model order) whose gradient holds NaN or Inf, or null. */
  public static Parameter firstNonFinite(List<Parameter> params) {
    for (Parameter p : params) {
      double s = p.grad().sumNumber().doubleValue();
      if (!Double.isFinite(s)) {
        return p;
      }
    }
    return null;
  }

  public static void zero(List<Parameter> params) {
    zero(params, ParallelLoop.SEQUENTIAL);
  }

  /** Global L2 norm with the per-parameter norms taken through {@code loop}, summed in parameter order. */
  public static double globalNorm(List<Parameter> params, ParallelLoop loop) {
    double[] norms = new double[params.size()];
    loop.forEach(norms.length, i -> norms[i] = params.get(i).grad().norm2Number().doubleValue());
    double sq = 0;
    for (double n : norms) {
      sq += n * n;
    }
    return Math.sqrt(sq);
  }

  /** {@link #clip(List, double, double)} with the scaling run through {@code loop}. */
  public static double clip(List<Parameter> params, double norm, double maxNorm, ParallelLoop loop) {
    if (Double.isFinite(norm) && norm > maxNorm) {
      double scale = maxNorm / (norm + 1e-6);
      loop.forEach(params.size(), i -> params.get(i).grad().muli(scale));
    }
    return norm;
  }

  /** {@link #zero(List)} run through {@code loop}. */
  public static void zero(List<Parameter> params, ParallelLoop loop) {
    loop.forEach(params.size(), i -> params.get(i).zeroGrad());
  }
}
