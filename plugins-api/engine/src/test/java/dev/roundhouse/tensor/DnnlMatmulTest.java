package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * oneDNN's matmul called directly against a naive reference: fp64 products of the same operand
 * values (bf16 operands widened exactly). Tolerances: fp32 accumulation over k terms of products
 * of magnitude ~|a||b|, so a few ulps of fp32 times sqrt(k) (here <= 2e-5 relative to the largest
 * result); an fp32 result is never rounded to bf16, so the bf16 products meet the same bound.
 */
class DnnlMatmulTest {
  @BeforeAll
  static void loaded() {
    assumeTrue(System.getProperty("os.arch", "").contains("64") && System.getProperty("os.name", "").startsWith("Linux"),
        "oneDNN's native jar is linux-x86_64 only");
    assertTrue(DnnlMatmul.available(), "oneDNN should load on linux-x86_64: " + DnnlMatmul.describe());
  }

  /** op(a) @ op(b) in fp64 from the arrays' exact values. */
  private static INDArray reference(INDArray a, INDArray b, boolean transA, boolean transB) {
    INDArray a64 = a.castTo(DataType.DOUBLE);
    INDArray b64 = b.castTo(DataType.DOUBLE);
    if (a.rank() == 2) {
      return (transA ? a64.transpose() : a64).mmul(transB ? b64.transpose() : b64);
    }
    return Nd4j.matmul(a64, b64, transA, transB, false);
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
    double err = actual.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
    assertTrue(err <= 2e-5 * scale, what + ": max abs error " + err + " (largest value " + scale + ")");
  }

  @Test
  void fp32AndBf16ProductsInAllTransposesMatchFp64() {
    Nd4j.getRandom().setSeed(5);
    long m = 70;
    long k = 48;
    long n = 33;
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.BFLOAT16}) {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          INDArray a = Nd4j.randn(DataType.FLOAT, ta ? k : m, ta ? m : k).castTo(type);
          INDArray b = Nd4j.randn(DataType.FLOAT, tb ? n : k, tb ? k : n).castTo(type);
          INDArray out = Nd4j.create(DataType.FLOAT, m, n);
          assertTrue(DnnlMatmul.gemm(a, b, out, ta, tb, false), type + " " + ta + " " + tb);
          assertClose(reference(a, b, ta, tb), out, type + " transA=" + ta + " transB=" + tb);
        }
      }
    }
  }

  @Test
  void accumulatesIntoRowBlocksOfLargerBuffers() {
    Nd4j.getRandom().setSeed(6);
    INDArray x = Nd4j.randn(DataType.FLOAT, 100, 32).castTo(DataType.BFLOAT16); // rows grouped: [0,40) [40,100)
    INDArray w = Nd4j.randn(DataType.FLOAT, 24, 32).castTo(DataType.BFLOAT16); // [out, in]
    INDArray before = Nd4j.randn(DataType.FLOAT, 100, 24);
    INDArray y = before.dup();
    INDArray rows = x.get(NDArrayIndex.interval(40, 100), NDArrayIndex.all());
    INDArray yRows = y.get(NDArrayIndex.interval(40, 100), NDArrayIndex.all());
    assertTrue(DnnlMatmul.gemm(rows, w, yRows, false, true, true));
    INDArray expected = before.castTo(DataType.DOUBLE);
    expected.get(NDArrayIndex.interval(40, 100), NDArrayIndex.all()).addi(reference(rows, w, false, true));
    assertClose(expected, y, "y[40:100] += x[40:100] @ w^T");
    assertEquals(before.get(NDArrayIndex.interval(0, 40), NDArrayIndex.all()),
        y.get(NDArrayIndex.interval(0, 40), NDArrayIndex.all()), "rows outside the block are untouched");
  }

  @Test
  void varyingRowCountsAndInnerDimsRunOnePrimitiveEach() {
    Nd4j.getRandom().setSeed(9);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.BFLOAT16}) {
      INDArray x = Nd4j.randn(DataType.FLOAT, 300, 32).castTo(type); // [M, in], groups of varying rows
      INDArray g = Nd4j.randn(DataType.FLOAT, 300, 24).castTo(type); // [M, out]
      INDArray w = Nd4j.randn(DataType.FLOAT, 24, 32).castTo(type); // [out, in]
      for (int rows : new int[] {1, 7, 64, 65, 300}) {
        INDArray xr = x.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
        INDArray gr = g.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
        INDArray y = Nd4j.create(DataType.FLOAT, rows, 24);
        assertTrue(DnnlMatmul.gemm(xr, w, y, false, true, false, DnnlMatmul.Varying.M));
        assertClose(reference(xr, w, false, true), y, type + " forward, " + rows + " rows");
        INDArray dw0 = Nd4j.randn(DataType.FLOAT, 24, 32);
        INDArray dw = dw0.dup();
        assertTrue(DnnlMatmul.gemm(gr, xr, dw, true, false, true, DnnlMatmul.Varying.K));
        assertClose(dw0.castTo(DataType.DOUBLE).add(reference(gr, xr, true, false)), dw, type + " dW += g^T x, " + rows + " rows");
      }
    }
  }

  @Test
  void rowCountsThatKeepChangingStayRightAcrossTheSwitchToARuntimeSize() {
    Nd4j.getRandom().setSeed(10);
    INDArray x = Nd4j.randn(DataType.FLOAT, 200, 40).castTo(DataType.BFLOAT16);
    INDArray w = Nd4j.randn(DataType.FLOAT, 24, 40).castTo(DataType.BFLOAT16);
    for (int rows = 101; rows < 101 + 3 * DnnlMatmul.CHURN; rows++) { // fixed shapes first, then a runtime size
      INDArray xr = x.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
      INDArray y = Nd4j.create(DataType.FLOAT, rows, 24);
      assertTrue(DnnlMatmul.gemm(xr, w, y, false, true, false));
      assertClose(reference(xr, w, false, true), y, rows + " rows");
    }
  }

  @Test
  void batchedProductsMatchFp64() {
    Nd4j.getRandom().setSeed(7);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.BFLOAT16}) {
      INDArray q = Nd4j.randn(DataType.FLOAT, 6, 20, 16).castTo(type);
      INDArray kk = Nd4j.randn(DataType.FLOAT, 6, 20, 16).castTo(type);
      INDArray scores = Nd4j.create(DataType.FLOAT, 6, 20, 20);
      assertTrue(DnnlMatmul.gemm(q, kk, scores, false, true, false));
      assertClose(reference(q, kk, false, true), scores, type + " q @ k^T batched");
    }
  }

  @Test
  void unsupportedCombinationsLeaveTheOutputAlone() {
    INDArray a = Nd4j.rand(DataType.DOUBLE, 4, 3);
    INDArray b = Nd4j.rand(DataType.DOUBLE, 3, 5);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, 4, 5);
    assertFalse(DnnlMatmul.gemm(a, b, out, false, false, false), "fp64 is not run");
    assertEquals(0.0, out.sumNumber().doubleValue());
    INDArray mixed = Nd4j.zeros(DataType.FLOAT, 4, 5);
    assertFalse(DnnlMatmul.gemm(a.castTo(DataType.BFLOAT16), b.castTo(DataType.FLOAT), mixed, false, false, false),
        "bf16 x fp32 operands are not run");
    assertEquals(0.0, mixed.sumNumber().doubleValue());
  }

  @Test
  void threadsRunTheirOwnPrimitivesConcurrently() throws Exception {
    Nd4j.getRandom().setSeed(8);
    INDArray a = Nd4j.randn(DataType.FLOAT, 64, 64).castTo(DataType.BFLOAT16);
    INDArray b = Nd4j.randn(DataType.FLOAT, 64, 64).castTo(DataType.BFLOAT16);
    INDArray expected = reference(a, b, false, false);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<?>[] runs = new Future<?>[6];
      for (int t = 0; t < runs.length; t++) {
        runs[t] = pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            INDArray out = Nd4j.create(DataType.FLOAT, 64, 64);
            assertTrue(DnnlMatmul.gemm(a, b, out, false, false, false));
            assertClose(expected, out, "concurrent product");
          }
          return null;
        });
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void describesTheKernelsItRuns() {
    String d = DnnlMatmul.describe();
    assertTrue(d.startsWith("oneDNN "), d);
    assertFalse(DnnlMatmul.kernel(DataType.FLOAT).equals("unsupported"), d);
    assertFalse(DnnlMatmul.kernel(DataType.BFLOAT16).equals("unsupported"), d);
  }
}
