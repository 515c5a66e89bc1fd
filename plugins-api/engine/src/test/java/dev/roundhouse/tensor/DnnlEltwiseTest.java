package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * oneDNN's SiLU against a double-precision reference, element by element: every length from one
 * element to several 2^16 blocks plus a remainder of every power of two, tails of the range (+-88,
 * zeros, tiny values), views and f-order inputs through {@link Pointwise#silu}, and threads. The
 * bound: 4 ulp of the result (relative 2^-21) plus an absolute 1e-35 (oneDNN flushes an exponential
 * that would be subnormal: silu(-88) is 0, not -5.3e-37).
 */
class DnnlEltwiseTest {
  private static final double REL = Math.scalb(1.0, -21);

  @Test
  void siluAndItsGradientMatchADoubleReferenceAtEveryLength() {
    assumeTrue(DnnlMatmul.available(), "oneDNN not loaded");
    Nd4j.getRandom().setSeed(1);
    for (int n : new int[] {1, 2, 3, 7, 16, 255, 65535, 65536, 65537, 131072 + 4095, 200003}) {
      INDArray x = Nd4j.randn(DataType.FLOAT, n).muli(4);
      if (n > 8) {
        x.putScalar(0, 88f);
        x.putScalar(1, -88f);
        x.putScalar(2, 0f);
        x.putScalar(3, -0f);
        x.putScalar(4, 1e-30f);
        x.putScalar(5, -20f);
      }
      INDArray g = Nd4j.randn(DataType.FLOAT, n);
      INDArray y = x.ulike();
      INDArray dx = x.ulike();
      assertTrue(DnnlEltwise.silu(x, y));
      assertTrue(DnnlEltwise.siluBackward(x, g, dx));
      float[] xv = x.toFloatVector();
      float[] gv = g.toFloatVector();
      float[] yv = y.toFloatVector();
      float[] dv = dx.toFloatVector();
      for (int i = 0; i < n; i++) {
        double s = 1 / (1 + Math.exp(-(double) xv[i]));
        double want = xv[i] * s;
        double dwant = gv[i] * s * (1 + xv[i] * (1 - s));
        assertEquals(want, yv[i], REL * Math.abs(want) + 1e-35, "silu n=" + n + " x=" + xv[i]);
        assertEquals(dwant, dv[i], REL * (Math.abs(gv[i] * s) + Math.abs(gv[i] * s * xv[i] * (1 - s))) + 1e-35,
            "silu' n=" + n + " x=" + xv[i]);
      }
    }
  }

  @Test
  void viewsOtherTypesAndAliasingAreRefusedOrCopiedByPointwise() {
    assumeTrue(DnnlMatmul.available(), "oneDNN not loaded");
    INDArray big = Nd4j.randn(DataType.FLOAT, 10, 8);
    INDArray view = big.get(NDArrayIndex.interval(2, 7), NDArrayIndex.all()); // [5, 8], a view
    assertFalse(DnnlEltwise.silu(view, Nd4j.create(DataType.FLOAT, 5, 8)));
    assertFalse(DnnlEltwise.silu(big.castTo(DataType.DOUBLE), Nd4j.create(DataType.DOUBLE, 10, 8)));
    assertFalse(DnnlEltwise.silu(big, big)); // in place is refused (the caller makes a fresh output)
    assertFalse(DnnlEltwise.silu(big, Nd4j.create(DataType.FLOAT, new long[] {10, 8}, 'f'))); // layouts differ
    assertTrue(DnnlEltwise.silu(big.dup('f'), Nd4j.create(DataType.FLOAT, new long[] {10, 8}, 'f'))); // same f layout
    for (INDArray in : new INDArray[] {view, big.dup('f'), big.transpose()}) {
      Parameter p = new Parameter("p", ParamRole.DENSE_FFN, in.dup());
      INDArray[] grad = new INDArray[1];
      Tensor x = Tensor.result(in, gx -> grad[0] = gx.dup(), p); // x.data() is the view / f-order array itself
      Tensor y = Pointwise.silu(x);
      INDArray g = Nd4j.randn(DataType.FLOAT, in.shape());
      y.backward(g);
      INDArray s = org.nd4j.linalg.ops.transforms.Transforms.sigmoid(in, true);
      INDArray want = in.mul(s);
      INDArray dwant = s.rsub(1.0).muli(in).addi(1.0).muli(s).muli(g);
      assertTrue(want.equalsWithEps(y.data(), 1e-6), "forward " + in.ordering() + " view=" + in.isView());
      assertTrue(dwant.equalsWithEps(grad[0], 1e-6), "gradient " + in.ordering() + " view=" + in.isView());
    }
  }

  @Test
  void threadsEachGetTheirOwnPrimitives() throws Exception {
    assumeTrue(DnnlMatmul.available(), "oneDNN not loaded");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int n = 70000 + 1013 * t;
        done.add(pool.submit(() -> {
          INDArray x = Nd4j.randn(DataType.FLOAT, n);
          for (int r = 0; r < 20; r++) {
            INDArray y = x.ulike();
            DnnlEltwise.silu(x, y);
            INDArray want = x.mul(org.nd4j.linalg.ops.transforms.Transforms.sigmoid(x, true));
            if (!want.equalsWithEps(y, 1e-5)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : done) {
        assertTrue(f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
