package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Raw (non-differentiable) gather / scatter-add / select helpers built on whole-array libnd4j ops.
 * The differentiable ops ({@link Embedding}, {@link Select}, {@link Losses}) use them in forward and
 * backward; plugins may use them for MoE dispatch bookkeeping.
 *
 * <p>Legend: R rows of the source, M gathered/scattered rows, ... trailing dims.
 */
public final class Indexing {
  private Indexing() {}

  /** Row indices as an INT64 vector [M]. */
  public static INDArray indexVector(int[] rows) {
    long[] l = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      l[i] = rows[i];
    }
    return Nd4j.createFromArray(l);
  }

  /** src: [R, ...], rows: [M] integer -> [M, ...] copy of the selected rows (repeats allowed). */
  public static INDArray gatherRows(INDArray src, INDArray rows) {
    return Nd4j.exec(DynamicCustomOp.builder("gather")
        .addInputs(src, rows).addIntegerArguments(0).build())[0];
  }

  /**
   * updates: [M, ...], rows: [M] integer in [0, numRows) -> fresh [numRows, ...] whose row r is the
   * sum of all updates with rows[m] == r (duplicates accumulate; rows never named are zero).
   */
  public static INDArray scatterAddRows(INDArray updates, INDArray rows, long numRows) {
    long[] shape = updates.shape().clone();
    shape[0] = numRows;
    INDArray out = Nd4j.zeros(updates.dataType(), shape);
    if (updates.length() == 0) {
      return out;
    }
    Nd4j.exec(DynamicCustomOp.builder("unsorted_segment_sum")
        .addInputs(updates, rows).addOutputs(out).addIntegerArguments((int) numRows).build());
    return out;
  }

  /**
   * In place: {@code target[idx[m]] += updates[m]} on a contiguous vector view (duplicates
   * accumulate, run single-threaded). target: [L], idx: [M] integer, updates: [M].
   */
  static void scatterAddInto(INDArray target, INDArray idx, INDArray updates) {
    Nd4j.exec(DynamicCustomOp.builder("scatter_add")
        .addInputs(target, idx, updates).addOutputs(target).addBooleanArguments(true).build());
  }

  /** Elementwise {@code cond ? a : b}; all three already of one shape, a and b of one dtype. */
  public static INDArray select(INDArray cond, INDArray a, INDArray b) {
    if (!Arrays.equals(cond.shape(), a.shape()) || !Arrays.equals(a.shape(), b.shape())) {
      throw new IllegalArgumentException("select needs equal shapes, got cond " + Arrays.toString(cond.shape())
          + ", a " + Arrays.toString(a.shape()) + ", b " + Arrays.toString(b.shape()));
    }
    INDArray c = cond.dataType() == DataType.BOOL ? cond : cond.castTo(DataType.BOOL);
    INDArray out = Nd4j.createUninitialized(a.dataType(), a.shape());
    Nd4j.exec(DynamicCustomOp.builder("select").addInputs(c, a, b).addOutputs(out).build());
    return out;
  }

  /** Axis in [0, rank), accepting negative axes counted from the end. */
  static int axis(int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
    }
    return a;
  }
}
