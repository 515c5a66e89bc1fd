package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Row lookup in an embedding table. Legend: V rows (vocabulary), d width, N looked-up ids. */
public final class Embedding {
  private Embedding() {}

  /**
   * table: [V, d], ids: [N] in [0, V) -> [N, d] copy of the rows. Backward scatter-adds the [N, d]
   * gradient into a [V, d] table gradient (libnd4j unsorted_segment_sum; duplicate ids accumulate).
   */
  public static Tensor lookup(Tensor table, int[] ids) {
    if (table.rank() != 2) {
      throw new IllegalArgumentException("embedding table must be [V, d], got " + Arrays.toString(table.shape()));
    }
    long v = table.size(0);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= v) {
        throw new IllegalArgumentException("embedding id " + ids[i] + " at position " + i + " is outside [0, " + v + ")");
      }
    }
    INDArray idx = Indexing.indexVector(ids);
    INDArray out = Indexing.gatherRows(table.data(), idx); // [N, d]
    return Tensor.result(out, g -> {
      if (table.requiresGrad()) {
        table.addGradOwned(Indexing.scatterAddRows(g, idx, v));
      }
    }, table);
  }
}
