package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Numpy-style broadcasting helpers shared by the elementwise ops and their backward passes.
 *
 * <p>Broadcasting runs inside libnd4j's broadcastable custom ops ({@code add}, {@code multiply},
 * ...), never through {@code INDArray.broadcast}, which copies element by element (measured ~8x
 * slower than a whole-array op of the same size; {@code broadcast_to} and {@code tile} ~40x).
 */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast shape of {@code a} and {@code b}, or an error naming both shapes. */
  static long[] shape(long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = Math.max(da, db);
    }
    return out;
  }

  /**
   * {@code x} expanded to {@code shape}: x itself when the shapes already match, else a fresh
   * array (made by one broadcasting add into zeros; boolean arrays fall back to ND4J's copy).
   */
  public static INDArray expand(INDArray x, long[] shape) {
    if (Arrays.equals(x.shape(), shape)) {
      return x;
    }
    INDArray v = x;
    if (x.rank() < shape.length) {
      long[] padded = new long[shape.length];
      Arrays.fill(padded, 1);
      System.arraycopy(x.shape(), 0, padded, shape.length - x.rank(), x.rank());
      v = x.reshape(padded);
    }
    if (!x.dataType().isFPType()) {
      return v.broadcast(shape);
    }
    INDArray out = Nd4j.zeros(x.dataType(), shape);
    Nd4j.exec(DynamicCustomOp.builder("add").addInputs(out, v).addOutputs(out).build());
    return out;
  }

  /**
   * A fresh {@code a op b} with numpy broadcasting, op one of libnd4j's broadcastable {@code add},
   * {@code subtract}, {@code multiply}, {@code divide}. Equal shapes use the plain pairwise op;
   * otherwise the broadcast runs inside the op, without materialising the smaller operand.
   */
  public static INDArray binary(String op, INDArray a, INDArray b) {
    if (Arrays.equals(a.shape(), b.shape())) {
      switch (op) {
        case "add":
          return a.add(b);
        case "subtract":
          return a.sub(b);
        case "multiply":
          return a.mul(b);
        case "divide":
          return a.div(b);
        default:
          throw new IllegalArgumentException("unknown broadcast op " + op);
      }
    }
    if (a.dataType() != b.dataType()) {
      throw new IllegalArgumentException(op + ": operands are " + a.dataType() + " and " + b.dataType());
    }
    INDArray out = Nd4j.createUninitialized(a.dataType(), shape(a.shape(), b.shape()));
    Nd4j.exec(DynamicCustomOp.builder(op).addInputs(a, b).addOutputs(out).build());
    return out;
  }

  /** Sums a gradient of a broadcast shape down to {@code shape}; returns g itself when equal. */
  static INDArray reduceTo(INDArray g, long[] shape) {
    if (Arrays.equals(g.shape(), shape)) {
      return g;
    }
    int lead = g.rank() - shape.length;
    if (lead < 0) {
      throw new IllegalArgumentException(
          "gradient " + Arrays.toString(g.shape()) + " has lower rank than " + Arrays.toString(shape));
    }
    int[] axes = new int[g.rank()];
    int n = 0;
    for (int i = 0; i < g.rank(); i++) {
      if (i < lead || (shape[i - lead] == 1 && g.size(i) != 1)) {
        axes[n++] = i;
      }
    }
    INDArray r = n == 0 ? g : g.sum(true, Arrays.copyOf(axes, n));
    return r.reshape(shape);
  }
}
