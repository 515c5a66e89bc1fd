package dev.roundhouse.plugins.routers;

import dev.roundhouse.testing.DoublePrecision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Router;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(DoublePrecision.class)
class BalanceLossesTest {
  static final int D = 6;
  static final int E = 5;

  static double loss(Router r, INDArray x, int seqLen, String name) {
    return r.route(Tensor.constant(x), seqLen).losses().get(name).item();
  }

  static Router softmax(String scope, double std) {
    return RouterFixtures.softmax(SoftmaxTopKConfig.losses(0.7, scope, null), D, E, 2, std);
  }

  static Router sigmoid(String scope) {
    return RouterFixtures.sigmoid(new SigmoidTopKConfig(null, null, null, null, 0.7, scope, null, null, null),
        D, E, 2, 1.0);
  }

  @Test
  void sequenceWiseLossEqualsMicroBatchLossForOneSequence() {
    INDArray x = Nd4j.randn(16, D);
    for (int kind = 0; kind < 2; kind++) {
      Router batch = kind == 0 ? softmax("batch", 1.0) : sigmoid("batch");
      Router seq = kind == 0 ? softmax("sequence", 0.0) : sigmoid("sequence");
      seq.parameters().get(0).data().assign(batch.parameters().get(0).data());
      double b = loss(batch, x, 16, "aux");
      assertEquals(b, loss(seq, x, 16, "seq_aux"), 1e-12);
      // two sequences: the sequence-wise loss is the mean of the per-sequence losses, not the batch loss
      double first = loss(seq, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8)), 8, "seq_aux");
      double second = loss(seq, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 16)), 8, "seq_aux");
      double both = loss(seq, x, 8, "seq_aux");
      assertEquals((first + second) / 2, both, 1e-12);
      assertTrue(Math.abs(both - b) > 1e-6, "per-sequence balance differs from batch balance");
    }
  }

  @Test
  void globalLossAccumulatesCountsOverTheStepAndResetsAfterIt() {
    Router batch = softmax("batch", 1.0);
    Router global = softmax("global", 0.0);
    global.parameters().get(0).data().assign(batch.parameters().get(0).data());
    INDArray a = Nd4j.randn(10, D);
    INDArray b = Nd4j.randn(10, D).addi(1.0);
    // first micro-batch of a step: same as the micro-batch loss
    assertEquals(loss(batch, a, 10, "aux"), loss(global, a, 10, "global_aux"), 1e-12);
    // evaluation in between neither adds counts nor changes the next training value
    try (NoGrad ng = NoGrad.enter()) {
      loss(global, b, 10, "global_aux");
    }
    // second micro-batch: f from both micro-batches' counts, P from this one = loss over [a; b] f with b's P
    double second = loss(global, b, 10, "global_aux");
    long[] countsA = batch.route(Tensor.constant(a), 10).tokensPerExpert();
    long[] countsB = batch.route(Tensor.constant(b), 10).tokensPerExpert();
    INDArray probsB = org.nd4j.linalg.ops.transforms.Transforms.softmax(
        b.mmul(batch.parameters().get(0).data().transpose()), true).mean(0);
    double expected = 0;
    for (int i = 0; i < E; i++) {
      expected += 0.7 * E * (countsA[i] + countsB[i]) / 40.0 * probsB.getDouble(i);
    }
    assertEquals(expected, second, 1e-12);
    global.afterOptimizerStep(new long[E]);
    assertEquals(loss(batch, b, 10, "aux"), loss(global, b, 10, "global_aux"), 1e-12);
  }
}
