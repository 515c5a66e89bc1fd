package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * bf16 products (MatOps with BFLOAT16 operands) against the same products in fp64.
 *
 * <p>Tolerance from the format: bf16 keeps 8 significant bits, so rounding to it has relative
 * error at most u = 2^-8. A product y = sum_k a_k b_k with both operands rounded, accumulated in
 * fp32 (k terms, error <= k 2^-24 per unit of sum|a||b|) and, on CUDA, the result rounded to bf16
 * once is within (2u + u^2 + k 2^-24)(1 + u) sum|a||b| + u |y| <= (3u + u^2 + 2 k 2^-24) sum|a||b|
 * of the exact one (on the CPU the fp32 result is not rounded, which only tightens it). Each element is checked against that bound, built from |A| @ |B| in fp64; the same
 * holds for both backward products (output gradient rounded to bf16, operands bf16). The fp64
 * reference is itself finite-difference checked ({@link GradCheck}).
 */
class Bf16ProductTest {
  private static final double U = Math.scalb(1.0, -8);

  private static double factor(long k) {
    return 3 * U + U * U + 2 * k * Math.scalb(1.0, -24);
  }

  /** max over elements of |got - exact| / bound (<= 1 passes), with bound = factor * (|a| @ |b|). */
  private static double boundRatio(INDArray got, INDArray exact, INDArray absProduct, long k) {
    INDArray err = Transforms.abs(got.castTo(DataType.DOUBLE).sub(exact), false);
    INDArray bound = absProduct.mul(factor(k)).addi(1e-30);
    return err.div(bound).maxNumber().doubleValue();
  }

  private static INDArray abs(INDArray x) {
    return Transforms.abs(x, true);
  }

  @Test
  void linearTForwardAndBothGradientsAreWithinTheBf16BoundOfFp64() {
    Nd4j.getRandom().setSeed(7);
    int m = 24, k = 40, n = 16;
    INDArray x64 = Nd4j.randn(DataType.DOUBLE, m, k);
    INDArray w64 = Nd4j.randn(DataType.DOUBLE, n, k).muli(0.3);
    INDArray r64 = Nd4j.randn(DataType.DOUBLE, m, n);
    // the fp64 reference and its gradients, finite-difference checked
    GradCheck.Result check = GradCheck.check(p -> Reductions.sumAll(MatOps.linearT(p.get(0), p.get(1))
        .mul(Tensor.constant(r64))), GradCheck.leaves(x64, w64), 1e-6);
    assertTrue(check.max() < 1e-7, "fp64 reference: " + check.relativeErrors());
    INDArray y64 = x64.mmul(w64.transpose());
    INDArray dx64 = r64.mmul(w64);
    INDArray dw64 = r64.transpose().mmul(x64);

    Parameter x = new Parameter("x", ParamRole.OTHER, x64.castTo(DataType.FLOAT));
    Parameter w = new Parameter("w", ParamRole.OTHER, w64.castTo(DataType.FLOAT));
    try (StepArena arena = StepArena.open("test")) {
      Tensor xb = Bf16.cast(x);
      Tensor wb = Bf16.cast(w);
      assertEquals(DataType.BFLOAT16, xb.dataType());
      Tensor y = MatOps.linearT(xb, wb); // [m, n]
      assertEquals(DataType.FLOAT, y.dataType());
      assertTrue(boundRatio(y.data(), y64, abs(x64).mmul(abs(w64).transpose()), k) <= 1, "forward");
      // the values are bf16-rounded: the error is well above fp32's (a test that can fail)
      double rel = y.data().castTo(DataType.DOUBLE).sub(y64).norm2Number().doubleValue() / y64.norm2Number().doubleValue();
      assertTrue(rel > Math.scalb(1.0, -14) && rel < 4 * U, "relative error " + rel);
      y.backward(r64.castTo(DataType.FLOAT));
    }
    assertEquals(DataType.FLOAT, x.grad().dataType());
    assertEquals(DataType.FLOAT, w.grad().dataType());
    assertTrue(boundRatio(x.grad(), dx64, abs(r64).mmul(abs(w64)), n) <= 1, "input gradient");
    assertTrue(boundRatio(w.grad(), dw64, abs(r64).transpose().mmul(abs(x64)), m) <= 1, "weight gradient");
  }

  @Test
  void matmulAndBatchedProductsRunInBf16() {
    Nd4j.getRandom().setSeed(11);
    INDArray a64 = Nd4j.randn(DataType.DOUBLE, 3, 8, 12);
    INDArray b64 = Nd4j.randn(DataType.DOUBLE, 3, 12, 5);
    INDArray exact = Nd4j.matmul(a64, b64);
    INDArray absProd = Nd4j.matmul(abs(a64), abs(b64));
    try (StepArena arena = StepArena.open("test")) {
      INDArray got = MatOps.gemm(Bf16.convert(a64.castTo(DataType.FLOAT), DataType.BFLOAT16), b64.castTo(DataType.FLOAT), false, false);
      assertEquals(DataType.FLOAT, got.dataType());
      assertTrue(boundRatio(got, exact, absProd, 12) <= 1, "batched");
      Tensor y = MatOps.matmul(Bf16.cast(Tensor.constant(a64.slice(0).castTo(DataType.FLOAT))),
          Tensor.constant(b64.slice(0).castTo(DataType.FLOAT)));
      assertTrue(boundRatio(y.data(), exact.slice(0), absProd.slice(0), 12) <= 1, "matmul");
    }
  }

  @Test
  void nativeAndEmulatedProductsAgreeUpToAccumulationOrder() {
    Nd4j.getRandom().setSeed(3);
    INDArray a = Nd4j.randn(DataType.FLOAT, 64, 96);
    INDArray b = Nd4j.randn(DataType.FLOAT, 48, 96);
    try (StepArena arena = StepArena.open("test")) {
      INDArray nat = Bf16.product(Bf16.Mode.NATIVE, a, b, false, true, 64, 48);
      INDArray emu = Bf16.product(Bf16.Mode.EMULATED, a, b, false, true, 64, 48);
      // both give the fp32 sums of the same bf16 operands' exact products (fp32 results, not rounded
      // to bf16): apart by at most the two accumulations' errors, 2 k 2^-24 sum|a||b| (k = 96)
      INDArray abs16 = Transforms.abs(Bf16.convert(Bf16.convert(a, DataType.BFLOAT16), DataType.FLOAT), true)
          .mmul(Transforms.abs(Bf16.convert(Bf16.convert(b, DataType.BFLOAT16), DataType.FLOAT), true).transpose());
      INDArray diff = Transforms.abs(nat.sub(emu), false);
      INDArray bound = abs16.muli(2 * 96 * Math.scalb(1.0, -24)).addi(1e-30);
      assertTrue(diff.sub(bound).maxNumber().doubleValue() <= 0, "native vs emulated");
    }
    assertTrue(Bf16.describe(Bf16.Mode.EMULATED).startsWith("not native"), Bf16.describe(Bf16.Mode.EMULATED));
    assertTrue(Bf16.describe(Bf16.Mode.NATIVE).startsWith("native"));
  }

  @Test
  void castGradientPassesStraightThroughInFp32() {
    Parameter p = new Parameter("p", ParamRole.OTHER, Nd4j.createFromArray(new float[] {1.00390625f, 3f}));
    try (StepArena arena = StepArena.open("test")) {
      Tensor c = Bf16.cast(p);
      assertEquals(1.0, c.data().getDouble(0), 0.0); // 1 + 2^-8: tie between 1 and 1 + 2^-7, even -> 1
      c.backward(Nd4j.createFromArray(new float[] {0.1f, -2f}));
    }
    assertEquals(DataType.FLOAT, p.grad().dataType());
    assertEquals(0.1f, p.grad().getFloat(0), 0f);
    assertEquals(-2f, p.grad().getFloat(1), 0f);
  }
}
