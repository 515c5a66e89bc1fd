package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Shape ops: reshape, permute, transpose. Outputs may be views of their input. */
public final class Shapes {
  private Shapes() {}

  /** Reshape in row-major order (a view when x is contiguous, else a copy). */
  public static Tensor reshape(Tensor x, long... shape) {
    long[] in = x.shape();
    INDArray out = x.data().reshape('c', shape);
    return Tensor.result(out, g -> x.addGrad(g.reshape('c', in)), x);
  }

  /** Reorders dims: out.shape[i] = x.shape[dims[i]]. The result is a strided view. */
  public static Tensor permute(Tensor x, int... dims) {
    int[] inverse = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      inverse[dims[i]] = i;
    }
    return Tensor.result(x.data().permute(dims), g -> x.addGrad(g.permute(inverse)), x);
  }

  /** Swaps two dims. */
  public static Tensor transpose(Tensor x, int d0, int d1) {
    int[] dims = new int[x.rank()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = i;
    }
    dims[d0] = d1;
    dims[d1] = d0;
    return permute(x, dims);
  }

  /** A contiguous row-major copy (identity for gradients). */
  public static Tensor contiguous(Tensor x) {
    return Tensor.result(x.data().dup('c'), x::addGrad, x);
  }
}
