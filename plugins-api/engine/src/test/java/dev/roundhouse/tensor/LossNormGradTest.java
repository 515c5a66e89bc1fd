package dev.roundhouse.tensor;

import static dev.roundhouse.tensor.CoreOpsGradTest.assertGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class LossNormGradTest {
  static final int IGNORE = -100;

  @Test
  void crossEntropyEqualsMeanPickedLogSoftmaxAndIgnoresRows() {
    INDArray logits = Nd4j.randn(5, 7).muli(3);
    int[] targets = {3, IGNORE, 0, 6, IGNORE};
    double ce = Losses.crossEntropy(Tensor.constant(logits), targets, IGNORE).item();
    INDArray ls = Softmax.logSoftmax(Tensor.constant(logits), 1).data();
    double expected = -(ls.getDouble(0, 3) + ls.getDouble(2, 0) + ls.getDouble(3, 6)) / 3;
    assertEquals(expected, ce, 1e-12);
    int[] none = {IGNORE, IGNORE, IGNORE, IGNORE, IGNORE};
    assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.constant(logits), none, IGNORE));
    assertThrows(IllegalArgumentException.class,
        () -> Losses.crossEntropy(Tensor.constant(logits), new int[] {0, 1, 2, 3, 7}, IGNORE));
  }

  @Test
  void crossEntropyGradient() {
    var in = GradCheck.leaves(Nd4j.randn(5, 7), Nd4j.randn(1, 7));
    int[] targets = {3, IGNORE, 0, 6, 3};
    assertGrad(GradCheck.check(x -> Losses.crossEntropy(x.get(0), targets, IGNORE), in.subList(0, 1)));
    // broadcast bias and a transposed (non-contiguous) logits view
    assertGrad(GradCheck.check(x -> Losses.crossEntropy(x.get(0).add(x.get(1)), targets, IGNORE), in));
    var inT = GradCheck.leaves(Nd4j.randn(7, 5));
    assertGrad(GradCheck.check(x -> Losses.crossEntropy(Shapes.transpose(x.get(0), 0, 1), targets, IGNORE), inT));
    // ignored rows get exactly zero gradient
    var p = GradCheck.leaves(Nd4j.randn(5, 7)).get(0);
    Losses.crossEntropy(p, targets, IGNORE).backward();
    assertEquals(0, p.grad().getRow(1).amaxNumber().doubleValue(), 0);
    assertEquals(0, p.grad().getRow(0).sumNumber().doubleValue(), 1e-12); // softmax - onehot sums to 0
  }

  private static INDArray naiveRms(INDArray x, INDArray gain, double eps) {
    INDArray out = x.dup();
    for (int r = 0; r < x.rows(); r++) {
      double ms = 0;
      for (int j = 0; j < x.columns(); j++) {
        ms += x.getDouble(r, j) * x.getDouble(r, j);
      }
      double inv = 1 / Math.sqrt(ms / x.columns() + eps);
      for (int j = 0; j < x.columns(); j++) {
        out.putScalar(r, j, x.getDouble(r, j) * inv * gain.getDouble(j));
      }
    }
    return out;
  }

  private static INDArray naiveLayer(INDArray x, INDArray gain, INDArray bias, double eps) {
    INDArray out = x.dup();
    int d = (int) x.columns();
    for (int r = 0; r < x.rows(); r++) {
      double mu = 0;
      for (int j = 0; j < d; j++) {
        mu += x.getDouble(r, j) / d;
      }
      double var = 0;
      for (int j = 0; j < d; j++) {
        var += Math.pow(x.getDouble(r, j) - mu, 2) / d;
      }
      for (int j = 0; j < d; j++) {
        out.putScalar(r, j, (x.getDouble(r, j) - mu) / Math.sqrt(var + eps) * gain.getDouble(j) + bias.getDouble(j));
      }
    }
    return out;
  }

  @Test
  void normsMatchNaiveFormulas() {
    INDArray x = Nd4j.randn(4, 6).muli(2).addi(1);
    INDArray gain = Nd4j.randn(6);
    INDArray bias = Nd4j.randn(6);
    INDArray rms = Norms.rmsNorm(Tensor.constant(x), Tensor.constant(gain), 1e-5).data();
    assertEquals(0, rms.sub(naiveRms(x, gain, 1e-5)).amaxNumber().doubleValue(), 1e-12);
    INDArray ln = Norms.layerNorm(Tensor.constant(x), Tensor.constant(gain), Tensor.constant(bias), 1e-5).data();
    assertEquals(0, ln.sub(naiveLayer(x, gain, bias, 1e-5)).amaxNumber().doubleValue(), 1e-12);
    INDArray lnNoBias = Norms.layerNorm(Tensor.constant(x), Tensor.constant(gain), null, 1e-5).data();
    assertEquals(0, lnNoBias.sub(naiveLayer(x, gain, Nd4j.zeros(6), 1e-5)).amaxNumber().doubleValue(), 1e-12);
    // rank 3 input gives the same rows
    INDArray x3 = x.reshape(2, 2, 6);
    INDArray rms3 = Norms.rmsNorm(Tensor.constant(x3), Tensor.constant(gain), 1e-5).data();
    assertEquals(0, rms3.reshape(4, 6).sub(rms).amaxNumber().doubleValue(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Norms.rmsNorm(Tensor.constant(x), Tensor.constant(Nd4j.ones(5)), 1e-5));
  }

  @Test
  void normGradients() {
    var in = GradCheck.leaves(Nd4j.randn(new long[] {2, 3, 5}), Nd4j.randn(5), Nd4j.randn(5), Nd4j.randn(2, 1, 5));
    var xgb = in.subList(0, 3);
    assertGrad(GradCheck.check(x -> Norms.rmsNorm(x.get(0), x.get(1), 1e-5), in.subList(0, 2)));
    assertGrad(GradCheck.check(x -> Norms.layerNorm(x.get(0), x.get(1), x.get(2), 1e-5), xgb));
    assertGrad(GradCheck.check(x -> Norms.layerNorm(x.get(0), x.get(1), null, 1e-5), in.subList(0, 2)));
    // broadcast input x + shift[2,1,5]
    assertGrad(GradCheck.check(x -> Norms.rmsNorm(x.get(0).add(x.get(3)), x.get(1), 1e-5), in));
    // non-contiguous: x viewed as [3, 2, 5] through a transpose
    var inT = GradCheck.leaves(Nd4j.randn(new long[] {3, 2, 5}), Nd4j.randn(5), Nd4j.randn(5));
    assertGrad(GradCheck.check(x -> Norms.rmsNorm(Shapes.transpose(x.get(0), 0, 1), x.get(1), 1e-5), inT.subList(0, 2)));
    assertGrad(GradCheck.check(x -> Norms.layerNorm(Shapes.transpose(x.get(0), 0, 1), x.get(1), x.get(2), 1e-5), inT));
  }
}
