package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products. Every product goes through {@link #gemm} or {@link #gemmInto}: oneDNN's matmul
 * called directly ({@link DnnlMatmul}: a primitive cached per shape, ~2x ND4J's gemm at the
 * routed-expert shapes) or, where it cannot run the product, ND4J's gemm; into a freshly allocated
 * (arena-backed inside a step) output with transpose flags instead of transposed copies. Outputs
 * are allocated uninitialised: zero-filling a [4096, 768] FLOAT output costs ~0.6 ms, and the
 * products overwrite every element.
 *
 * <p>When either operand is BFLOAT16 (a precision policy cast it, see {@link Bf16}) the product
 * runs in bf16 with fp32 accumulation and returns FLOAT; the backward products then take the
 * output gradient rounded to bf16 once and accumulate FLOAT gradients.
 */
public final class MatOps {
  private MatOps() {}

  /**
   * Raw product {@code op(a) @ op(b)} where op transposes the last two dims when asked.
   * a: [m, k] or [B, m, k]; b: [k, n] or [B, k, n]; returns [m, n] or [B, m, n].
   */
  public static INDArray gemm(INDArray a, INDArray b, boolean transA, boolean transB) {
    return product(a, b, transA, transB, DnnlMatmul.Varying.NONE);
  }

  /** {@link #gemm} where one dim changes from call to call (2-D only; see {@link DnnlMatmul.Varying}). */
  static INDArray product(INDArray a, INDArray b, boolean transA, boolean transB, DnnlMatmul.Varying varying) {
    if (a.rank() == 2 && b.rank() == 2) {
      long m = transA ? a.size(1) : a.size(0);
      long ka = transA ? a.size(0) : a.size(1);
      long kb = transB ? b.size(1) : b.size(0);
      long n = transB ? b.size(0) : b.size(1);
      checkInner(ka, kb, a, b);
      if (Bf16.involved(a, b)) {
        return Bf16.product(a, b, transA, transB, varying, m, n);
      }
      INDArray out = Nd4j.createUninitialized(a.dataType(), m, n); // beta = 0: gemm overwrites all of it
      gemmInto(a, b, out, transA, transB, false, varying);
      return out;
    }
    if (a.rank() == 3 && b.rank() == 3) {
      long batch = a.size(0);
      long m = transA ? a.size(2) : a.size(1);
      long ka = transA ? a.size(1) : a.size(2);
      long kb = transB ? b.size(2) : b.size(1);
      long n = transB ? b.size(1) : b.size(2);
      checkInner(ka, kb, a, b);
      if (b.size(0) != batch) {
        throw new IllegalArgumentException("batched matmul batch sizes differ: "
            + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
      }
      if (Bf16.involved(a, b)) {
        return Bf16.product(a, b, transA, transB, DnnlMatmul.Varying.NONE, batch, m, n);
      }
      INDArray out = Nd4j.createUninitialized(a.dataType(), batch, m, n); // overwritten (checked with NaN fill)
      gemmInto(a, b, out, transA, transB, false);
      return out;
    }
    throw new IllegalArgumentException("matmul supports [m,k]x[k,n] and [B,m,k]x[B,k,n], got "
        + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
  }

  /**
   * {@code out = op(a) @ op(b)}, or {@code out += op(a) @ op(b)} with {@code accumulate}, for
   * operands of out's dtype, 2-D or batched 3-D (shapes as {@link #gemm}); out may be a contiguous
   * row view. oneDNN directly when it runs the product, else ND4J's gemm (beta = 1 to accumulate)
   * or batched MatMul.
   */
  static void gemmInto(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, boolean accumulate) {
    gemmInto(a, b, out, transA, transB, accumulate, DnnlMatmul.Varying.NONE);
  }

  /** {@link #gemmInto} where one dim changes from call to call (a routed expert's row count, see {@link DnnlMatmul.Varying}). */
  static void gemmInto(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, boolean accumulate,
                       DnnlMatmul.Varying varying) {
    if (DnnlMatmul.gemm(a, b, out, transA, transB, accumulate, varying)) {
      return;
    }
    if (a.rank() == 2) {
      Nd4j.gemm(a, b, out, transA, transB, 1.0, accumulate ? 1.0 : 0.0);
    } else if (!accumulate) {
      Nd4j.matmul(a, b, out, transA, transB, false);
    } else {
      out.addi(Nd4j.matmul(a, b, Nd4j.createUninitialized(out.dataType(), out.shape()), transA, transB, false));
    }
  }

  private static void checkInner(long ka, long kb, INDArray a, INDArray b) {
    if (ka != kb) {
      throw new IllegalArgumentException("matmul inner dimensions differ: "
          + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
    }
  }

  /**
   * Differentiable product. a: [m, k] x b: [k, n] -> [m, n]; a: [B, m, k] x b: [B, k, n] ->
   * [B, m, n]; a: [..., k] (rank >= 3) x b: [k, n] -> [..., n] (leading dims flattened into rows).
   */
  public static Tensor matmul(Tensor a, Tensor b) {
    if (a.rank() >= 3 && b.rank() == 2) {
      long[] s = a.shape();
      long rows = a.data().length() / s[s.length - 1];
      Tensor flat = Shapes.reshape(a, rows, s[s.length - 1]);
      long[] outShape = s.clone();
      outShape[s.length - 1] = b.size(1);
      return Shapes.reshape(matmul(flat, b), outShape);
    }
    INDArray out = gemm(a.data(), b.data(), false, false);
    return Tensor.result(out, gOut -> {
      INDArray g = gradOperand(gOut, a.data(), b.data());
      if (a.requiresGrad()) {
        accumulateProduct(a, g, b.data(), false, true); // dA += g @ B^T
      }
      if (b.requiresGrad()) {
        accumulateProduct(b, a.data(), g, true, false); // dB += A^T @ g
      }
    }, a, b);
  }

  /** x @ w^T for a weight stored as [out, in] (nn.Linear layout). x: [..., in] -> [..., out]. */
  public static Tensor linearT(Tensor x, Tensor w) {
    if (x.rank() != 2) {
      long[] s = x.shape();
      long rows = x.data().length() / s[s.length - 1];
      long[] outShape = s.clone();
      outShape[s.length - 1] = w.size(0);
      return Shapes.reshape(linearT(Shapes.reshape(x, rows, s[s.length - 1]), w), outShape);
    }
    INDArray out = gemm(x.data(), w.data(), false, true);
    return Tensor.result(out, gOut -> {
      INDArray g = gradOperand(gOut, x.data(), w.data());
      if (x.requiresGrad()) {
        accumulateProduct(x, g, w.data(), false, false); // dX += g @ W
      }
      if (w.requiresGrad()) {
        accumulateProduct(w, g, x.data(), true, false); // dW += g^T @ X
      }
    }, x, w);
  }

  /** The output gradient as the backward products take it: rounded to bf16 once for a bf16 product. */
  static INDArray gradOperand(INDArray g, INDArray a, INDArray b) {
    return Bf16.involved(a, b) ? Bf16.convert(g, DataType.BFLOAT16) : g;
  }

  /**
   * dst.grad += op(x) @ op(y) for 2-D operands. When dst already holds a dense gradient of the
   * product's shape and dtype (always so for a {@link Parameter}), the product is accumulated in
   * one call straight into it (oneDNN's sum post-op, or gemm with beta = 1): no temporary, no
   * separate add (an elementwise op costs as much as a small gemm here, and far more when its
   * threads are descheduled). A bf16 product accumulates into a FLOAT gradient the same way.
   * Otherwise the product is made and handed over with {@link Tensor#addGradOwned}.
   */
  static void accumulateProduct(Tensor dst, INDArray x, INDArray y, boolean transX, boolean transY) {
    accumulateProduct(dst, x, y, transX, transY, DnnlMatmul.Varying.NONE);
  }

  /** {@link #accumulateProduct} where one dim changes from call to call (see {@link DnnlMatmul.Varying}). */
  static void accumulateProduct(Tensor node, INDArray x, INDArray y, boolean transX, boolean transY,
                                DnnlMatmul.Varying varying) {
    Tensor dst = node.gradTarget(); // a straight-through cast's source takes its gradient directly
    INDArray acc = dst.grad;
    if (acc != null && canAccumulateInto(dst, acc, x, y, transX, transY)) {
      gemmInto(x, y, acc, transX, transY, true, varying);
    } else if (acc != null && x.rank() == 2 && y.rank() == 2 && Bf16.involved(x, y) && canAddBf16Into(dst, acc, x, y, transX, transY)) {
      Bf16.productInto(Bf16.convert(x, DataType.BFLOAT16), Bf16.convert(y, DataType.BFLOAT16), acc, transX, transY, true,
          varying);
    } else {
      dst.addGradOwned(product(x, y, transX, transY, varying));
    }
  }

  private static boolean canAddBf16Into(Tensor dst, INDArray acc, INDArray x, INDArray y, boolean transX, boolean transY) {
    if (!(dst instanceof Parameter) && dst.getClass() != Tensor.class) {
      return false;
    }
    long m = transX ? x.size(1) : x.size(0);
    long n = transY ? y.size(0) : y.size(1);
    return acc.dataType() == DataType.FLOAT && acc.rank() == 2 && !acc.isView() && acc.elementWiseStride() == 1
        && acc.size(0) == m && acc.size(1) == n;
  }

  private static boolean canAccumulateInto(Tensor dst, INDArray acc, INDArray x, INDArray y,
                                           boolean transX, boolean transY) {
    // Only classes whose addGrad is a plain sum (a subclass may hook gradient arrival).
    if (!(dst instanceof Parameter) && dst.getClass() != Tensor.class) {
      return false;
    }
    if (x.rank() != 2 || y.rank() != 2 || acc.rank() != 2 || acc.isView() || acc.elementWiseStride() != 1) {
      return false;
    }
    if (acc.dataType() != x.dataType() || acc.dataType() != y.dataType()) {
      return false;
    }
    long m = transX ? x.size(1) : x.size(0);
    long n = transY ? y.size(0) : y.size(1);
    return acc.size(0) == m && acc.size(1) == n;
  }
}
