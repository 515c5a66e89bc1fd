package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A value in the eager autograd graph: an {@link INDArray} plus, when it requires a gradient, the
 * closure that pushes its output gradient to its parents.
 *
 * <p>Tensors are created by the ops in this package ({@link MatOps}, {@link Elementwise}, ...). A
 * tensor requires grad when any parent does and no {@link NoGrad} scope is active. {@link
 * #backward()} on a scalar walks the graph in reverse topological order; leaf tensors ({@link
 * Parameter}s) accumulate their gradient until {@link Parameter#zeroGrad()}, intermediate gradients
 * are dropped once used and the graph is cut so its arrays can be released.
 *
 * <p>Not thread-safe: a graph belongs to the thread that built it.
 */
public class Tensor {
  /** Pushes the gradient of this tensor's output into its parents via {@link #addGrad}. */
  @FunctionalInterface
  public interface BackwardFn {
    void apply(INDArray gradOut);
  }

  private final INDArray data;
  private final boolean requiresGrad;
  INDArray grad;
  Tensor[] parents;
  BackwardFn backwardFn;
  /** For a {@link #straightThrough} node: the tensor its gradient belongs to (else null). */
  private Tensor gradSink;
  /** The per-block arena this node was made in (null outside them or when it needs no gradient). */
  final ArenaSegments.Segment segment;
  private String label;

  protected Tensor(INDArray data, boolean requiresGrad, Tensor[] parents, BackwardFn fn) {
    this.data = data;
    this.requiresGrad = requiresGrad;
    this.parents = parents;
    this.backwardFn = fn;
    this.segment = requiresGrad ? ArenaSegments.current() : null;
  }

  /** A tensor that never receives a gradient (inputs, masks, targets). */
  public static Tensor constant(INDArray data) {
    return new Tensor(data, false, null, null);
  }

  /**
   * The result of an op. It records {@code fn} only when some parent requires grad and no
   * {@link NoGrad} scope is open; otherwise the result is a constant.
   */
  public static Tensor result(INDArray data, BackwardFn fn, Tensor... parents) {
    if (OpProfiler.ENABLED) {
      String op = OpProfiler.callerOp();
      OpProfiler.markForward(op);
      if (fn != null) {
        BackwardFn inner = fn;
        fn = g -> {
          long t0 = OpProfiler.now();
          inner.apply(g);
          OpProfiler.add(op + " (backward)", OpProfiler.now() - t0);
        };
      }
    }
    if (OpMemoryProfile.ENABLED) {
      OpMemoryProfile.record(data, parents);
    }
    if (NoGrad.active()) {
      return constant(data);
    }
    for (Tensor p : parents) {
      if (p != null && p.requiresGrad) {
        return new Tensor(data, true, parents, fn);
      }
    }
    return constant(data);
  }

  public INDArray data() {
    return data;
  }

  /** The accumulated gradient, or null when none has arrived. */
  public INDArray grad() {
    return grad;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  public long[] shape() {
    return data.shape();
  }

  public long size(int dim) {
    return data.size(dim);
  }

  public int rank() {
    return data.rank();
  }

  public DataType dataType() {
    return data.dataType();
  }

  /** The value of a one-element tensor. */
  public double item() {
    if (data.length() != 1) {
      throw new IllegalStateException("item() needs one element, shape is " + Arrays.toString(shape()));
    }
    return data.getDouble(0);
  }

  public Tensor label(String label) {
    this.label = label;
    return this;
  }

  public String label() {
    return label;
  }

  /**
   * A node holding {@code data} (e.g. {@code source}'s values cast to bf16) whose gradient is
   * {@code source}'s, unchanged: a straight-through cast. Its backward hands its gradient to the
   * source; and products ({@link MatOps}, {@link GroupedProducts}) accumulate their gradient
   * contribution straight into the source's gradient buffer in the product call (for a
   * {@link Parameter}, its persistent fp32 gradient) instead of making a gradient for this node
   * and adding it over. Same sum, one whole-array pass and one temporary fewer per product.
   */
  public static Tensor straightThrough(INDArray data, Tensor source) {
    Tensor t = result(data, source::addGradOwned, source); // the node owns its gradient: handed over, not copied
    if (t.requiresGrad) {
      t.gradSink = source.gradSink != null ? source.gradSink : source;
    }
    return t;
  }

  /** Where a product may accumulate this tensor's gradient: its source for a straight-through node, else itself. */
  Tensor gradTarget() {
    return gradSink != null ? gradSink : this;
  }

  /**
   * Adds {@code g} to this tensor's gradient. {@code g} may be shared with other parents: it is
   * copied on first arrival. A gradient of a broadcast shape is summed down to this shape.
   */
  public void addGrad(INDArray g) {
    if (!requiresGrad) {
      return;
    }
    INDArray reduced = Broadcast.reduceTo(g, data.shape());
    if (grad == null) {
      grad = reduced == g ? g.dup() : reduced;
    } else {
      grad.addi(reduced);
    }
  }

  /** Like {@link #addGrad} but takes ownership of {@code g} (the caller made it and drops it). */
  public void addGradOwned(INDArray g) {
    if (!requiresGrad) {
      return;
    }
    INDArray reduced = Broadcast.reduceTo(g, data.shape());
    if (grad == null) {
      grad = reduced;
    } else {
      grad.addi(reduced);
    }
  }

  /** Backward from a one-element tensor with seed gradient 1. */
  public void backward() {
    if (data.length() != 1) {
      throw new IllegalStateException(
          "backward() without a seed needs a scalar, shape is " + Arrays.toString(shape()));
    }
    backward(data.ulike().assign(1.0));
  }

  /** Backward with an explicit seed gradient of this tensor's shape. */
  public void backward(INDArray seed) {
    Autograd.backward(this, seed);
  }

  /** Cuts this node from the graph after its gradient has been propagated. */
  void releaseGraph() {
    parents = null;
    backwardFn = null;
  }

  /**
   * True when this tensor's gradient accumulator may be written in place by an op's backward
   * (e.g. a slice adding into its region): plain tensors and parameters, whose addGrad is a plain
   * sum. Subclasses may hook gradient arrival, so they are excluded.
   */
  boolean accumulatesInPlace() {
    return this instanceof Parameter || getClass() == Tensor.class;
  }

  boolean isLeaf() {
    return backwardFn == null;
  }

  // ---- fluent shortcuts for the most used ops -------------------------------------------------

  public Tensor matmul(Tensor other) {
    return MatOps.matmul(this, other);
  }

  public Tensor add(Tensor other) {
    return Elementwise.add(this, other);
  }

  public Tensor sub(Tensor other) {
    return Elementwise.sub(this, other);
  }

  public Tensor mul(Tensor other) {
    return Elementwise.mul(this, other);
  }

  public Tensor mul(double s) {
    return Elementwise.scale(this, s);
  }

  @Override
  public String toString() {
    return "Tensor" + (label == null ? "" : "(" + label + ")") + Arrays.toString(shape())
        + (requiresGrad ? " requiresGrad" : "");
  }
}
