package dev.roundhouse.tensor;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Grouped products: consecutive row groups of one activation, each multiplied by its own weight,
 * as ONE autograd node (the routed experts of a MoE layer: rows grouped by expert, one weight per
 * expert).
 *
 * <p>Same values as splitting {@code x} into its groups, running {@link MatOps#linearT} per group
 * and concatenating: each group's product is the same gemm on the same operands, written into its
 * row block of one output (a contiguous row view, so the gemm writes in place). What it saves is
 * the per-group graph: no split views and their gradient adds, no concatenation copy, one node per
 * weight set instead of one per group, and in backward one input-gradient buffer filled block by
 * block (or, when the input already holds a dense gradient, accumulated into it with beta = 1).
 * Weight gradients accumulate straight into a dense parameter gradient with beta = 1, as in
 * {@link MatOps#linearT}.
 *
 * <p>Products with a BFLOAT16 operand run the same bf16 kernel as {@link MatOps#gemm} per group
 * (same values as the per-group path) but round once for all groups: x and the output gradient are
 * cast to bf16 once (not per group); each group's fp32 result is written into its row block of one
 * FLOAT output, and gradients accumulate into the fp32 gradients in the product call. Stateless and thread-safe;
 * outputs are allocated in the caller's workspace (the step arena inside a step).
 */
public final class GroupedProducts {
  /** A group's row count changes every step: its products' rows (forward, input gradient) ... */
  private static final DnnlMatmul.Varying ROWS = DnnlMatmul.Varying.M;
  /** ... and its weight gradient's inner dim run one oneDNN primitive for any count. */
  private static final DnnlMatmul.Varying INNER = DnnlMatmul.Varying.K;

  private GroupedProducts() {}

  /**
   * {@code y[offsets[g] .. offsets[g+1]) = x[offsets[g] .. offsets[g+1]) @ W_g^T}.
   *
   * @param x [M, in] rows grouped consecutively
   * @param offsets [G + 1] group g owns rows offsets[g] .. offsets[g+1] - 1; offsets[0] = 0,
   *     offsets[G] = M, non-decreasing (empty groups allowed: their weight gets no gradient)
   * @param weights G weights, each [out, in] (nn.Linear layout)
   * @return [M, out]
   */
  public static Tensor linearT(Tensor x, int[] offsets, List<? extends Tensor> weights) {
    check(x, offsets, weights);
    long rows = x.size(0);
    long out = weights.get(0).size(0);
    INDArray xd = x.data();
    int groups = weights.size();
    INDArray y;
    if (anyBf16(xd, weights, xd)) {
      y = bf16Forward(xd, offsets, weights, rows, out);
    } else {
      y = Nd4j.createUninitialized(xd.dataType(), rows, out); // every row is some group's: all overwritten
      for (int g = 0; g < groups; g++) {
        if (offsets[g + 1] > offsets[g]) {
          MatOps.gemmInto(rowsOf(xd, offsets, g), weights.get(g).data(), rowsOf(y, offsets, g), false, true, false, ROWS);
        }
      }
    }
    Tensor[] parents = new Tensor[groups + 1];
    parents[0] = x;
    for (int g = 0; g < groups; g++) {
      parents[g + 1] = weights.get(g);
    }
    return Tensor.result(y, gOut -> backward(gOut, x, offsets, weights), parents);
  }

  private static void backward(INDArray gOut, Tensor x, int[] offsets, List<? extends Tensor> weights) {
    INDArray xd = x.data();
    if (anyBf16(xd, weights, gOut)) {
      bf16Backward(gOut, x, offsets, weights);
      return;
    }
    int groups = weights.size();
    if (x.requiresGrad()) {
      Tensor dst = x.gradTarget(); // a straight-through node's source takes its gradient directly
      INDArray acc = dst.grad;
      boolean into = acc != null && canAccumulate(dst, acc, xd.shape(), xd.dataType());
      INDArray dx = into ? acc : Nd4j.createUninitialized(xd.dataType(), xd.shape()); // every row written
      for (int g = 0; g < groups; g++) {
        if (offsets[g + 1] > offsets[g]) {
          INDArray dxg = rowsOf(dx, offsets, g);
          MatOps.gemmInto(rowsOf(gOut, offsets, g), weights.get(g).data(), dxg, false, false, into, ROWS); // dX_g (+)= g_g @ W_g
        }
      }
      if (!into) {
        dst.addGradOwned(dx);
      }
    }
    for (int g = 0; g < groups; g++) {
      Tensor w = weights.get(g);
      if (w.requiresGrad() && offsets[g + 1] > offsets[g]) {
        INDArray gg = rowsOf(gOut, offsets, g);
        INDArray xg = rowsOf(xd, offsets, g);
        MatOps.accumulateProduct(w, gg, xg, true, false, INNER); // dW_g += g_g^T @ x_g
      }
    }
  }

  /**
   * bf16 forward: x rounded to bf16 once (a no-op when the policy already cast it), each group's
   * bf16 product written as fp32 into its row block of one FLOAT output. Same values as
   * {@link MatOps#gemm} per group (same operands, same kernel). Returns [rows, out] FLOAT.
   */
  private static INDArray bf16Forward(INDArray xd, int[] offsets, List<? extends Tensor> weights, long rows, long out) {
    INDArray x16 = Bf16.convert(xd, DataType.BFLOAT16);
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, rows, out); // every row written
    for (int g = 0; g < weights.size(); g++) {
      if (offsets[g + 1] > offsets[g]) {
        INDArray w16 = Bf16.convert(weights.get(g).data(), DataType.BFLOAT16);
        Bf16.productInto(rowsOf(x16, offsets, g), w16, rowsOf(y, offsets, g), false, true, false, ROWS);
      }
    }
    return y;
  }

  /**
   * bf16 backward, same values as {@link MatOps#linearT}'s backward per group: the output gradient
   * rounded to bf16 once for all groups and both products; each group's input gradient accumulated
   * into its row block of x's dense fp32 gradient (or written into a new FLOAT one), each weight
   * gradient accumulated into the weight's fp32 gradient in the same call (oneDNN's sum post-op).
   */
  private static void bf16Backward(INDArray gOut, Tensor x, int[] offsets, List<? extends Tensor> weights) {
    INDArray xd = x.data();
    int groups = weights.size();
    INDArray g16 = Bf16.convert(gOut, DataType.BFLOAT16); // [M, out]
    if (x.requiresGrad()) {
      Tensor dst = x.gradTarget(); // a straight-through cast's source takes its gradient directly
      INDArray acc = dst.grad;
      boolean into = acc != null && canAccumulate(dst, acc, xd.shape(), DataType.FLOAT);
      INDArray dx = into ? acc : Nd4j.createUninitialized(DataType.FLOAT, xd.shape()); // [M, in], every row written
      for (int g = 0; g < groups; g++) {
        if (offsets[g + 1] > offsets[g]) {
          INDArray w16 = Bf16.convert(weights.get(g).data(), DataType.BFLOAT16);
          Bf16.productInto(rowsOf(g16, offsets, g), w16, rowsOf(dx, offsets, g), false, false, into, ROWS); // (+)= g_g @ W_g
        }
      }
      if (!into) {
        dst.addGradOwned(dx);
      }
    }
    INDArray x16 = null;
    for (int g = 0; g < groups; g++) {
      Tensor w = weights.get(g);
      if (w.requiresGrad() && offsets[g + 1] > offsets[g]) {
        x16 = x16 == null ? Bf16.convert(xd, DataType.BFLOAT16) : x16;
        MatOps.accumulateProduct(w, rowsOf(g16, offsets, g), rowsOf(x16, offsets, g), true, false, INNER); // dW_g += g_g^T @ x_g
      }
    }
  }

  private static boolean anyBf16(INDArray x, List<? extends Tensor> weights, INDArray g) {
    if (Bf16.involved(x, g)) {
      return true;
    }
    for (Tensor w : weights) {
      if (Bf16.involved(w.data(), x)) {
        return true;
      }
    }
    return false;
  }

  /** A dense, plainly summed gradient of the given shape and dtype that the products may add into. */
  private static boolean canAccumulate(Tensor x, INDArray acc, long[] shape, DataType type) {
    return (x instanceof Parameter || x.getClass() == Tensor.class) && !acc.isView()
        && acc.elementWiseStride() == 1 && acc.ordering() == 'c' && acc.dataType() == type
        && Arrays.equals(acc.shape(), shape);
  }

  /** Rows offsets[g] .. offsets[g+1] - 1 of a C-ordered [M, k] array: a contiguous view. */
  private static INDArray rowsOf(INDArray a, int[] offsets, int g) {
    if (offsets[g] == 0 && offsets[g + 1] == a.size(0)) {
      return a;
    }
    return a.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all());
  }

  private static void check(Tensor x, int[] offsets, List<? extends Tensor> weights) {
    if (x.rank() != 2) {
      throw new IllegalArgumentException("grouped linearT needs x of rank 2 [M, in], got " + Arrays.toString(x.shape()));
    }
    if (weights.isEmpty() || offsets.length != weights.size() + 1) {
      throw new IllegalArgumentException("grouped linearT needs offsets of length groups + 1, got "
          + offsets.length + " offsets for " + weights.size() + " weights");
    }
    if (offsets[0] != 0 || offsets[weights.size()] != x.size(0)) {
      throw new IllegalArgumentException("grouped linearT offsets must run from 0 to the " + x.size(0)
          + " rows of x, got " + Arrays.toString(offsets));
    }
    if (x.data().ordering() != 'c' || x.data().elementWiseStride() != 1) {
      throw new IllegalArgumentException("grouped linearT needs a contiguous C-ordered x");
    }
    long out = weights.get(0).size(0);
    for (int g = 0; g < weights.size(); g++) {
      if (offsets[g + 1] < offsets[g]) {
        throw new IllegalArgumentException("grouped linearT offsets must not decrease, got " + Arrays.toString(offsets));
      }
      Tensor w = weights.get(g);
      if (w.dataType() != weights.get(0).dataType()) {
        throw new IllegalArgumentException("grouped linearT weights must share one dtype, weight " + g + " is "
            + w.dataType() + ", weight 0 is " + weights.get(0).dataType());
      }
      if (w.rank() != 2 || w.size(0) != out || w.size(1) != x.size(1)) {
        throw new IllegalArgumentException("grouped linearT weight " + g + " has shape " + Arrays.toString(w.shape())
            + ", expected [" + out + ", " + x.size(1) + "]");
      }
    }
  }
}
