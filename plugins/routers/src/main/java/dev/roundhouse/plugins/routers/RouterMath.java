package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.Index;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.Select;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shared router math. Legend: N tokens, d model width, E experts, k experts per token, M = N * k
 * assignments in row-major order (m = n * k + j is token n's j-th choice).
 */
final class RouterMath {
  private RouterMath() {}

  static void checkInput(String router, Tensor x, long dModel) {
    if (x.rank() != 2 || x.size(1) != dModel) {
      throw new IllegalArgumentException(router + " router expects x [N, " + dModel + "], got "
          + Arrays.toString(x.shape()));
    }
  }

  /** x: [N, d], weight: [E, d] -> logits [N, E] in fp32 (DOUBLE stays DOUBLE, for gradient checks). */
  static Tensor logits(Tensor x, Parameter weight) {
    return MatOps.linearT(toFp32(x), toFp32(weight));
  }

  /** The tensor in FLOAT (DOUBLE is kept); the cast passes gradients back in the input's dtype. */
  static Tensor toFp32(Tensor t) {
    DataType dt = t.dataType();
    if (dt == DataType.FLOAT || dt == DataType.DOUBLE) {
      return t;
    }
    return Tensor.result(t.data().castTo(DataType.FLOAT), g -> t.addGradOwned(g.castTo(dt)), t);
  }

  /** selection: [N, E] (not differentiated) -> [M] expert of each assignment, best first per token. */
  static int[] topKExperts(INDArray selection, int k) {
    long[] idx = Select.topK(Tensor.constant(selection), k).indices().reshape(selection.size(0) * k).toLongVector();
    int[] out = new int[idx.length];
    for (int m = 0; m < idx.length; m++) {
      out[m] = (int) idx[m];
    }
    return out;
  }

  /** [M] token of each row-major assignment: m / k. */
  static int[] tokenOfAssignment(int assignments, int k) {
    int[] out = new int[assignments];
    for (int m = 0; m < assignments; m++) {
      out[m] = m / k;
    }
    return out;
  }

  /** scores: [N, E], experts: [N * k] -> scores[n, experts[n * k + j]] as [N, k], differentiable. */
  static Tensor gatherChosen(Tensor scores, int[] experts, int k) {
    long n = scores.size(0);
    long e = scores.size(1);
    int[] flat = new int[experts.length];
    for (int m = 0; m < experts.length; m++) {
      flat[m] = (int) ((m / k) * e + experts[m]);
    }
    Tensor column = Shapes.reshape(scores, n * e, 1); // [N * E, 1]
    return Shapes.reshape(Index.gatherRows(column, flat), n, k);
  }

  /** [N, k] gates each divided by their row sum. */
  static Tensor normalizeRows(Tensor gates) {
    return Elementwise.div(gates, Reductions.sum(gates, true, 1));
  }

  /** Number of NaN or infinite entries (0 on the fast path where the sum is finite). */
  static double nonFinite(INDArray a) {
    if (Double.isFinite(a.sumNumber().doubleValue())) {
      return 0;
    }
    return a.isNaN().castTo(DataType.INT).sumNumber().doubleValue()
        + a.isInfinite().castTo(DataType.INT).sumNumber().doubleValue();
  }
}
