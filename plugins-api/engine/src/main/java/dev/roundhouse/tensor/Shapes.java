package dev.roundhouse.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Shape ops: reshape, permute, transpose, slice, concat, split. Outputs may be views of their input.
 *
 * <p>Backward passes avoid copies: the gradient arriving at a node belongs to that node alone (it
 * was copied on first arrival or handed over), so reshape, permute and concat pass views of it on
 * as owned gradients; slice adds into the region of the input's existing gradient when there is
 * one, and only the first piece of a split allocates the input-shaped gradient.
 */
public final class Shapes {
  private Shapes() {}

  /** Reshape in row-major order (a view when x is contiguous, else a copy). */
  public static Tensor reshape(Tensor x, long... shape) {
    long[] in = x.shape();
    INDArray out = x.data().reshape('c', shape);
    return Tensor.result(out, g -> x.addGradOwned(g.reshape('c', in)), x);
  }

  /** Reorders dims: out.shape[i] = x.shape[dims[i]]. The result is a strided view. */
  public static Tensor permute(Tensor x, int... dims) {
    int[] inverse = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      inverse[dims[i]] = i;
    }
    return Tensor.result(x.data().permute(dims), g -> x.addGradOwned(g.permute(inverse)), x);
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

  /**
   * The view x[.., start:end, ..] along {@code axis}: shape [.., end - start, ..]. Backward adds the
   * gradient into that region of x's gradient, allocating a zero one of x's shape only when x has
   * none yet.
   */
  public static Tensor slice(Tensor x, int axis, long start, long end) {
    int ax = Indexing.axis(axis, x.rank());
    if (start < 0 || end <= start || end > x.size(ax)) {
      throw new IllegalArgumentException("slice [" + start + ", " + end + ") out of range for axis " + axis
          + " of shape " + Arrays.toString(x.shape()));
    }
    INDArray out = x.data().get(range(x.rank(), ax, start, end));
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        INDArray acc = x.grad;
        if (acc != null && x.accumulatesInPlace() && Arrays.equals(acc.shape(), x.shape())) {
          acc.get(range(x.rank(), ax, start, end)).addi(g); // fresh index objects: ND4J indices keep state
        } else {
          INDArray full = Nd4j.zeros(x.dataType(), x.shape());
          full.get(range(x.rank(), ax, start, end)).assign(g);
          x.addGradOwned(full);
        }
      }
    }, x);
  }

  /** Joins tensors of equal shape except along {@code axis}; backward hands each its slice. */
  public static Tensor concat(int axis, Tensor... xs) {
    if (xs.length == 0) {
      throw new IllegalArgumentException("concat needs at least one tensor");
    }
    int ax = Indexing.axis(axis, xs[0].rank());
    INDArray[] data = new INDArray[xs.length];
    long[] offsets = new long[xs.length + 1];
    for (int i = 0; i < xs.length; i++) {
      data[i] = xs[i].data();
      offsets[i + 1] = offsets[i] + xs[i].size(ax);
    }
    INDArray out = xs.length == 1 ? data[0].dup() : Nd4j.concat(ax, data);
    return Tensor.result(out, g -> {
      for (int i = 0; i < xs.length; i++) {
        if (xs[i].requiresGrad()) {
          xs[i].addGradOwned(g.get(range(g.rank(), ax, offsets[i], offsets[i + 1]))); // disjoint views
        }
      }
    }, xs);
  }

  /** Splits x along {@code axis} into consecutive slices of the given sizes (they must sum to the size). */
  public static List<Tensor> split(Tensor x, int axis, long... sizes) {
    int ax = Indexing.axis(axis, x.rank());
    long total = Arrays.stream(sizes).sum();
    if (total != x.size(ax)) {
      throw new IllegalArgumentException("split sizes " + Arrays.toString(sizes) + " sum to " + total
          + ", axis " + axis + " of shape " + Arrays.toString(x.shape()) + " has " + x.size(ax));
    }
    List<Tensor> out = new ArrayList<>(sizes.length);
    long start = 0;
    for (long s : sizes) {
      out.add(slice(x, ax, start, start + s));
      start += s;
    }
    return out;
  }

  private static INDArrayIndex[] range(int rank, int axis, long start, long end) {
    INDArrayIndex[] idx = new INDArrayIndex[rank];
    for (int i = 0; i < rank; i++) {
      idx[i] = i == axis ? NDArrayIndex.interval(start, end) : NDArrayIndex.all();
    }
    return idx;
  }
}
