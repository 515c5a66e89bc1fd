package dev.roundhouse.tensor;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Splits a tensor along dim 0 into its n slices, for sequential loops (recurrences over chunks or
 * time steps). Unlike n calls of {@link Shapes#slice}, whose backward each builds a zero array of
 * the full shape (O(n^2) work for a loop), every slice's backward adds its gradient straight into
 * its own part of the parent's gradient: O(total size) over the whole loop.
 */
public final class Unstack {
  private Unstack() {}

  /** x: [n, ...] -> n views [...] (no copy; x's data is made row-major first if it is not). */
  public static List<Tensor> unstack(Tensor x) {
    if (x.rank() < 2) {
      throw new IllegalArgumentException("unstack needs rank >= 2, got " + java.util.Arrays.toString(x.shape()));
    }
    INDArray data = AttentionScores.rowMajor(x.data()) ? x.data() : x.data().dup('c');
    int n = (int) x.size(0);
    List<Tensor> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int at = i;
      out.add(Tensor.result(data.get(index(x.rank(), at)), g -> {
        if (x.requiresGrad()) {
          if (x.grad == null) {
            x.grad = Nd4j.zeros(x.dataType(), x.shape());
          }
          x.grad.get(index(x.rank(), at)).addi(g);
        }
      }, x));
    }
    return out;
  }

  /** The inverse: n tensors of one shape [...] -> [n, ...] (a copy; backward hands each its slice). */
  public static Tensor stack(List<Tensor> xs) {
    if (xs.isEmpty()) {
      throw new IllegalArgumentException("stack needs at least one tensor");
    }
    Tensor[] withLead = new Tensor[xs.size()];
    for (int i = 0; i < xs.size(); i++) {
      long[] s = xs.get(i).shape();
      long[] lead = new long[s.length + 1];
      lead[0] = 1;
      System.arraycopy(s, 0, lead, 1, s.length);
      withLead[i] = Shapes.reshape(xs.get(i), lead);
    }
    return Shapes.concat(0, withLead);
  }

  private static INDArrayIndex[] index(int rank, int i) {
    INDArrayIndex[] idx = new INDArrayIndex[rank];
    idx[0] = NDArrayIndex.point(i);
    for (int d = 1; d < rank; d++) {
      idx[d] = NDArrayIndex.all();
    }
    return idx;
  }
}
