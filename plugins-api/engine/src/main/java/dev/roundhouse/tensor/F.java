package dev.roundhouse.tensor;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The differentiable ops in one place, in the spirit of {@code torch.nn.functional}: start here. Every
 * method returns a {@link Tensor} whose gradient flows back to its inputs when {@link Tensor#backward()} is
 * called (unless noted), and delegates to the op class that implements it (named in each Javadoc, where
 * the backward pass is written down). Shapes are in brackets; {@code ...} is any number of leading dims.
 * Axes are 0-based; a negative axis counts from the end where noted.
 *
 * <p>Thread-safety: stateless; each call works on its arguments only. A tensor and its graph belong to one
 * thread (the thread that runs forward also runs backward).
 *
 * <pre>{@code
 * Tensor logits = F.linear(x, w);                 // [N, d] x [E, d] -> [N, E]
 * Tensor probs = F.softmax(logits, 1);           // [N, E]
 * Select.TopK top = F.topK(probs, 2);            // values [N, 2], indices [N, 2]
 * Tensor picked = F.gather(probs, 1, top.indices()); // == top.values()
 * }</pre>
 */
public final class F {
  private F() {}

  // ---- products ----

  /** a @ b: [m, k] x [k, n] -> [m, n]; [B, m, k] x [B, k, n] -> [B, m, n]; [..., k] x [k, n] -> [..., n]. {@link MatOps#matmul} */
  public static Tensor matmul(Tensor a, Tensor b) {
    return MatOps.matmul(a, b);
  }

  /** x @ w^T for a weight in nn.Linear layout: x [..., in], w [out, in] -> [..., out]. {@link MatOps#linearT} */
  public static Tensor linear(Tensor x, Tensor w) {
    return MatOps.linearT(x, w);
  }

  // ---- elementwise (broadcasting like NumPy; a broadcast input's gradient is summed back to its shape) ----

  /** a + b. {@link Elementwise#add} */
  public static Tensor add(Tensor a, Tensor b) {
    return Elementwise.add(a, b);
  }

  /** a - b. {@link Elementwise#sub} */
  public static Tensor sub(Tensor a, Tensor b) {
    return Elementwise.sub(a, b);
  }

  /** a * b. {@link Elementwise#mul} */
  public static Tensor mul(Tensor a, Tensor b) {
    return Elementwise.mul(a, b);
  }

  /** a / b. {@link Elementwise#div} */
  public static Tensor div(Tensor a, Tensor b) {
    return Elementwise.div(a, b);
  }

  /** a * s. {@link Elementwise#scale} */
  public static Tensor scale(Tensor a, double s) {
    return Elementwise.scale(a, s);
  }

  /** exp(x). {@link Pointwise#exp} */
  public static Tensor exp(Tensor x) {
    return Pointwise.exp(x);
  }

  /** Natural log. {@link Pointwise#log} */
  public static Tensor log(Tensor x) {
    return Pointwise.log(x);
  }

  /** 1 / sqrt(x). {@link Pointwise#rsqrt} */
  public static Tensor rsqrt(Tensor x) {
    return Pointwise.rsqrt(x);
  }

  /** tanh(x). {@link Pointwise#tanh} */
  public static Tensor tanh(Tensor x) {
    return Pointwise.tanh(x);
  }

  /** 1 / (1 + exp(-x)). {@link Pointwise#sigmoid} */
  public static Tensor sigmoid(Tensor x) {
    return Pointwise.sigmoid(x);
  }

  /** x * sigmoid(x). {@link Pointwise#silu} */
  public static Tensor silu(Tensor x) {
    return Pointwise.silu(x);
  }

  /** GELU (tanh approximation). {@link Pointwise#gelu} */
  public static Tensor gelu(Tensor x) {
    return Pointwise.gelu(x);
  }

  /** max(x, 0). {@link Pointwise#relu} */
  public static Tensor relu(Tensor x) {
    return Pointwise.relu(x);
  }

  // ---- reductions ----

  /** Sum over {@code axes} (keepDims keeps them as size 1); no axes: all elements -> scalar []. {@link Reductions#sum} */
  public static Tensor sum(Tensor x, boolean keepDims, int... axes) {
    return axes.length == 0 ? Reductions.sumAll(x) : Reductions.sum(x, keepDims, axes);
  }

  /** Mean over {@code axes} (keepDims keeps them as size 1); no axes: all elements -> scalar []. {@link Reductions#mean} */
  public static Tensor mean(Tensor x, boolean keepDims, int... axes) {
    return axes.length == 0 ? Reductions.meanAll(x) : Reductions.mean(x, keepDims, axes);
  }

  /** log(sum(exp(x))) over {@code axis}, computed stably. {@link Reductions#logSumExp} */
  public static Tensor logSumExp(Tensor x, int axis, boolean keepDims) {
    return Reductions.logSumExp(x, axis, keepDims);
  }

  // ---- softmax, norms, losses ----

  /** Softmax over {@code axis}; same shape as x. {@link Softmax#softmax} */
  public static Tensor softmax(Tensor x, int axis) {
    return Softmax.softmax(x, axis);
  }

  /** log(softmax(x)) over {@code axis}, computed stably. {@link Softmax#logSoftmax} */
  public static Tensor logSoftmax(Tensor x, int axis) {
    return Softmax.logSoftmax(x, axis);
  }

  /** x / sqrt(mean(x^2) + eps) * gain over the last dim. x [..., d], gain [d]. {@link Norms#rmsNorm} */
  public static Tensor rmsNorm(Tensor x, Tensor gain, double eps) {
    return Norms.rmsNorm(x, gain, eps);
  }

  /** (x - mean) / sqrt(var + eps) * gain + bias over the last dim. x [..., d], gain [d], bias [d] or null. {@link Norms#layerNorm} */
  public static Tensor layerNorm(Tensor x, Tensor gain, Tensor bias, double eps) {
    return Norms.layerNorm(x, gain, bias, eps);
  }

  /** Mean cross-entropy of logits [N, V] against targets [N] (rows with ignoreIndex skipped) -> scalar []. {@link Losses#crossEntropy} */
  public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
    return Losses.crossEntropy(logits, targets, ignoreIndex);
  }

  /** Zeroes each element with probability p, scales the rest by 1 / (1 - p); the mask depends on (seed, shape) only. {@link Dropout#dropout} */
  public static Tensor dropout(Tensor x, double p, long seed) {
    return Dropout.dropout(x, p, seed);
  }

  // ---- selection and indexing ----

  /**
   * The k largest entries of each row, like {@code torch.topk(x, k, dim=1, largest=True, sorted=True)}.
   * x: [N, E], 1 <= k <= E -> values [N, k] (differentiable: the gradient goes to the picked entries of x)
   * and indices [N, k] (INT64 column of each value; not differentiable).
   *
   * <p>Order: values descending in each row, each index pointing at its value. Ties (k <= 8, repeated
   * argmax): the lower column index comes first, and a tie at the k-th value keeps the lower columns.
   * Ties for k > 8: k distinct columns, in the order of libnd4j's sort (not necessarily by column).
   * FacadeTest checks these. {@link Select#topK}
   */
  public static Select.TopK topK(Tensor x, int k) {
    return Select.topK(x, k);
  }

  /**
   * Gather along an axis, like {@code torch.gather(x, axis, index)}: out[p] = x[p with p[axis] replaced by
   * index[p]]. x: [d0, .., dn-1]; index: integer array of x's rank whose size equals x's on every other axis,
   * values in [0, x.size(axis)), repeats allowed -> out: index's shape. Negative axis counts from the end.
   * Backward scatter-adds into x (repeated picks accumulate). E.g. the router probabilities of the chosen
   * experts: {@code F.gather(probs [N, E], 1, topK.indices() [N, k]) -> [N, k]}.
   *
   * @throws IllegalArgumentException naming the shape or the index out of range
   */
  public static Tensor gather(Tensor x, int axis, INDArray index) {
    return Gather.gather(x, axis, index);
  }

  /**
   * Whole slices along an axis, like {@code torch.index_select(x, axis, idx)}: x [.., n, ..] -> [.., idx.length, ..],
   * slice j = x's slice idx[j] (repeats allowed). Negative axis counts from the end. Backward scatter-adds.
   */
  public static Tensor indexSelect(Tensor x, int axis, int[] idx) {
    return Gather.indexSelect(x, axis, idx);
  }

  /** Rows of a [N, d] tensor: out[m] = x[idx[m]] -> [M, d]. {@link Index#gatherRows} */
  public static Tensor gatherRows(Tensor x, int[] idx) {
    return Index.gatherRows(x, idx);
  }

  /** out[idx[m]] += src[m]: src [M, d] -> [n, d], repeated indices accumulate. {@link Index#scatterAddRows} */
  public static Tensor scatterAddRows(Tensor src, int[] idx, int n) {
    return Index.scatterAddRows(src, idx, n);
  }

  /** Embedding lookup: table [V, d], ids [N] -> [N, d]. {@link Embedding#lookup} */
  public static Tensor embedding(Tensor table, int[] ids) {
    return Embedding.lookup(table, ids);
  }

  /** mask ? a : b, all three broadcasting; mask bool or 0/1. {@link Select#where} */
  public static Tensor where(INDArray mask, Tensor a, Tensor b) {
    return Select.where(mask, a, b);
  }

  /** x with {@code value} (may be -inf) where mask is true; mask broadcasts to x. {@link Select#maskedFill} */
  public static Tensor maskedFill(Tensor x, INDArray mask, double value) {
    return Select.maskedFill(x, mask, value);
  }

  // ---- shapes ----

  /** Row-major reshape (a view when x is contiguous). {@link Shapes#reshape} */
  public static Tensor reshape(Tensor x, long... shape) {
    return Shapes.reshape(x, shape);
  }

  /** out.shape[i] = x.shape[dims[i]] (a strided view). {@link Shapes#permute} */
  public static Tensor permute(Tensor x, int... dims) {
    return Shapes.permute(x, dims);
  }

  /** Swaps two dims. {@link Shapes#transpose} */
  public static Tensor transpose(Tensor x, int d0, int d1) {
    return Shapes.transpose(x, d0, d1);
  }

  /** x[.., start:end, ..] along {@code axis}. {@link Shapes#slice} */
  public static Tensor slice(Tensor x, int axis, long start, long end) {
    return Shapes.slice(x, axis, start, end);
  }

  /** Concatenation along {@code axis}. {@link Shapes#concat} */
  public static Tensor concat(int axis, Tensor... xs) {
    return Shapes.concat(axis, xs);
  }

  /** Pieces of the given sizes along {@code axis} (the sizes sum to x.size(axis)). {@link Shapes#split} */
  public static List<Tensor> split(Tensor x, int axis, long... sizes) {
    return Shapes.split(x, axis, sizes);
  }

  /** xs (each of shape S) stacked along a new first axis -> [xs.size(), S]. {@link Unstack#stack} */
  public static Tensor stack(List<Tensor> xs) {
    return Unstack.stack(xs);
  }

  // ---- casts ----

  /**
   * x converted to {@code type} (x itself when already so). Differentiable: the gradient passes straight
   * through and is converted back to x's type, so a FLOAT parameter cast to BFLOAT16 keeps an fp32 gradient.
   * BFLOAT16 rounds to nearest even ({@link Bf16#cast}).
   */
  public static Tensor cast(Tensor x, DataType type) {
    if (x.dataType() == type) {
      return x;
    }
    if (type == DataType.BFLOAT16) {
      return Bf16.cast(x);
    }
    DataType from = x.dataType();
    return Tensor.result(Bf16.convert(x.data(), type), g -> x.addGradOwned(g.dataType() == from ? g.dup() : g.castTo(from)), x);
  }
}
