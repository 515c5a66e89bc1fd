package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.AttentionOpsTest.naive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The chunked causal path in FLOAT, where its products run through oneDNN on strided views (query
 * rows, key/value prefixes, output rows and gradient prefixes read and written in place at G = 1;
 * copies at G > 1): values against the fp64 naive reference, gradients against the fp64 one-block
 * path (itself gradient-checked in {@link AttentionOpsTest}), with T not a multiple of the chunk and
 * a bias holding -inf entries. With -Droundhouse.dnnl=false the same checks cover the ND4J fallback.
 */
class BlockCausalAttentionFloatTest {
  private static final double SCALE = 0.5;

  private static INDArray[] qkv(int b, int h, int hk, int t, int hd) {
    Nd4j.getRandom().setSeed(7);
    return new INDArray[] {
      Nd4j.randn(DataType.FLOAT, b, h, t, hd), Nd4j.randn(DataType.FLOAT, b, hk, t, hd),
      Nd4j.randn(DataType.FLOAT, b, hk, t, hd)
    };
  }

  /** A [T, T] bias with -inf on the first sub-diagonal from row 2 on (no row is left without a key). */
  private static INDArray infBias(int t) {
    INDArray bias = Nd4j.randn(DataType.FLOAT, t, t);
    for (int i = 2; i < t; i++) {
      bias.putScalar(i, i - 1, Double.NEGATIVE_INFINITY);
    }
    return bias;
  }

  private static double maxDiff(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
  }

  private static double maxAbs(INDArray a) {
    return a.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
  }

  @Test
  void forwardMatchesFp64NaiveAtG1AndG2WithRaggedChunksAndInfBias() {
    for (int[] heads : new int[][] {{3, 3}, {4, 2}}) {
      for (int t : new int[] {7, 10}) {
        INDArray[] x = qkv(2, heads[0], heads[1], t, 8);
        INDArray bias = infBias(t);
        INDArray[] d = {x[0].castTo(DataType.DOUBLE), x[1].castTo(DataType.DOUBLE), x[2].castTo(DataType.DOUBLE)};
        for (int chunk : new int[] {3, 4}) {
          String what = "H " + heads[0] + ", Hk " + heads[1] + ", T " + t + ", chunk " + chunk;
          INDArray plain = BlockCausalAttention.attend(Tensor.constant(x[0]), Tensor.constant(x[1]),
              Tensor.constant(x[2]), SCALE, null, chunk).data();
          assertEquals(0, maxDiff(plain, naive(d[0], d[1], d[2], SCALE, 0, null)), 1e-5, what);
          INDArray biased = BlockCausalAttention.attend(Tensor.constant(x[0]), Tensor.constant(x[1]),
              Tensor.constant(x[2]), SCALE, bias, chunk).data();
          assertEquals(0, maxDiff(biased, naive(d[0], d[1], d[2], SCALE, 0, bias.castTo(DataType.DOUBLE))), 1e-5,
              "bias, " + what);
        }
      }
    }
  }

  @Test
  void gradientsMatchTheFp64OneBlockPath() {
    for (int[] heads : new int[][] {{3, 3}, {4, 2}}) {
      int t = 10;
      INDArray[] x = qkv(2, heads[0], heads[1], t, 8);
      INDArray dOut = Nd4j.randn(DataType.FLOAT, x[0].shape());
      INDArray bias = infBias(t);
      for (INDArray b : new INDArray[] {null, bias}) {
        INDArray[] chunked = grads(x, dOut, b, DataType.FLOAT, true);
        INDArray[] reference = grads(x, dOut, b, DataType.DOUBLE, false);
        for (int i = 0; i < 3; i++) {
          String what = "d" + "qkv".charAt(i) + ", H " + heads[0] + ", Hk " + heads[1] + (b == null ? "" : ", bias");
          assertTrue(maxAbs(reference[i]) > 0, what);
          assertEquals(0, maxDiff(chunked[i], reference[i]), 2e-5 * Math.max(1, maxAbs(reference[i])), what);
        }
      }
    }
  }

  /** dq, dk, dv for the output gradient dOut: chunked (chunk 3, T = 10: chunks of 3, 3, 3, 1) or one block. */
  private static INDArray[] grads(INDArray[] x, INDArray dOut, INDArray bias, DataType type, boolean chunked) {
    Parameter[] p = new Parameter[3];
    for (int i = 0; i < 3; i++) {
      p[i] = new Parameter("x" + i, ParamRole.OTHER, x[i].castTo(type).dup('c'));
    }
    INDArray b = bias == null ? null : bias.castTo(type);
    Tensor out = chunked ? BlockCausalAttention.attend(p[0], p[1], p[2], SCALE, b, 3)
        : AttentionOps.causalAttention(p[0], p[1], p[2], SCALE, 0, b);
    out.backward(dOut.castTo(type));
    return new INDArray[] {p[0].grad(), p[1].grad(), p[2].grad()};
  }
}
