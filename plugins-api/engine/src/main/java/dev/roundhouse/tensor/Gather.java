package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gathers along one axis, built from differentiable ops ({@link Shapes}, {@link Index#gatherRows}), so
 * their backward passes (scatter-add, duplicates accumulating) give the gradients. Behind
 * {@link F#gather} and {@link F#indexSelect}.
 */
final class Gather {
  private Gather() {}

  /**
   * torch.gather: out[p] = x[p with p[axis] replaced by index[p]]. x: [d0, .., dn-1], index: same rank,
   * index.size(d) == x.size(d) for d != axis, values in [0, x.size(axis)) -> out: index's shape. The flat
   * offsets are computed on the host from the index array (one pass over it, as Index.gatherRows checks
   * its indices), then one row gather of x viewed as [numel, 1].
   */
  static Tensor gather(Tensor x, int axis, INDArray index) {
    long[] xs = x.shape().clone();
    long[] is = index.shape().clone();
    int ax = axis(axis, xs.length, "gather");
    if (is.length != xs.length) {
      throw new IllegalArgumentException("gather: index rank " + is.length + " != x rank " + xs.length);
    }
    for (int d = 0; d < xs.length; d++) {
      if (d != ax && is[d] != xs[d]) {
        throw new IllegalArgumentException("gather: index shape " + Arrays.toString(is) + " differs from x shape "
            + Arrays.toString(xs) + " outside axis " + ax);
      }
    }
    long[] stride = new long[xs.length]; // row-major strides of x
    long s = 1;
    for (int d = xs.length - 1; d >= 0; d--) {
      stride[d] = s;
      s *= xs[d];
    }
    long[] v = index.dup('c').reshape(index.length()).toLongVector();
    int[] flat = new int[v.length];
    long[] pos = new long[is.length];
    for (int m = 0; m < v.length; m++) {
      if (v[m] < 0 || v[m] >= xs[ax]) {
        throw new IllegalArgumentException("gather: index " + v[m] + " out of range [0, " + xs[ax] + ") on axis " + ax);
      }
      long off = 0;
      for (int d = 0; d < pos.length; d++) {
        off += (d == ax ? v[m] : pos[d]) * stride[d];
      }
      flat[m] = Math.toIntExact(off);
      for (int d = pos.length - 1; d >= 0 && ++pos[d] == is[d]; d--) {
        pos[d] = 0;
      }
    }
    Tensor rows = Index.gatherRows(Shapes.reshape(x, s, 1), flat); // [M, 1]
    return Shapes.reshape(rows, is);
  }

  /**
   * torch.index_select: the slices idx[0], idx[1], .. of x along {@code axis}, in that order (repeats
   * allowed). x: [.., n, ..] -> [.., idx.length, ..].
   */
  static Tensor indexSelect(Tensor x, int axis, int[] idx) {
    long[] xs = x.shape().clone();
    int ax = axis(axis, xs.length, "indexSelect");
    int[] front = new int[xs.length]; // axis first, the others in order
    front[0] = ax;
    for (int d = 0, j = 1; d < xs.length; d++) {
      if (d != ax) {
        front[j++] = d;
      }
    }
    Tensor moved = ax == 0 ? x : Shapes.permute(x, front);
    long[] ms = moved.shape().clone();
    long rest = x.data().length() / xs[ax];
    Tensor rows = Index.gatherRows(Shapes.reshape(moved, xs[ax], rest), idx); // [idx.length, rest]
    ms[0] = idx.length;
    Tensor out = Shapes.reshape(rows, ms);
    if (ax == 0) {
      return out;
    }
    int[] back = new int[xs.length]; // inverse of front
    for (int d = 0; d < front.length; d++) {
      back[front[d]] = d;
    }
    return Shapes.permute(out, back);
  }

  static int axis(int axis, int rank, String op) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException(op + ": axis " + axis + " out of range for rank " + rank);
    }
    return a;
  }
}
