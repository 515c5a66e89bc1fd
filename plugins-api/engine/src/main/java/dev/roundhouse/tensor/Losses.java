package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Training losses with fused backward passes. Legend: N rows (tokens), V classes (vocabulary). */
public final class Losses {
  private Losses() {}

  /**
   * Mean cross-entropy over the rows whose target is not {@code ignoreIndex}: fused log-softmax +
   * NLL. logits: [N, V], targets: [N] in [0, V) or ignoreIndex -> scalar []. One backward:
   * dlogits = g * (softmax - onehot(target)) / count on counted rows, 0 on ignored rows.
   *
   * @throws IllegalArgumentException when every row is ignored or a target is out of range
   */
  public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
    if (logits.rank() != 2 || logits.size(0) != targets.length) {
      throw new IllegalArgumentException("crossEntropy needs logits [N, V] and targets [N], got logits "
          + java.util.Arrays.toString(logits.shape()) + " and " + targets.length + " targets");
    }
    int n = targets.length;
    long v = logits.size(1);
    long[] flatIdx = new long[n]; // n * V + target of each counted row
    double[] keep = new double[n]; // 1 for counted rows, 0 for ignored
    int count = 0;
    for (int i = 0; i < n; i++) {
      int t = targets[i];
      if (t == ignoreIndex) {
        continue;
      }
      if (t < 0 || t >= v) {
        throw new IllegalArgumentException("crossEntropy target " + t + " at row " + i + " is outside [0, " + v + ")");
      }
      flatIdx[count++] = i * v + t;
      keep[i] = 1;
    }
    if (count == 0) {
      throw new IllegalArgumentException("crossEntropy: all " + n + " targets equal ignoreIndex " + ignoreIndex);
    }
    INDArray x = logits.data();
    long[] picks = java.util.Arrays.copyOf(flatIdx, count); // n * V + target of the counted rows
    INDArray probs; // [N, V], kept for backward
    INDArray sumExp; // [N, 1]
    INDArray keepCol; // [N, 1]
    INDArray idx; // [count]
    double loss;
    try (OpScratch s = OpScratch.open()) { // the shifted logits and the picked values are temporaries
      INDArray shifted = x.dup('c').subi(x.max(true, 1)); // [N, V]; c-order so flat views below share its buffer
      probs = s.parent(() -> Transforms.exp(shifted, true));
      sumExp = s.parent(() -> probs.sum(true, 1));
      keepCol = s.parent(() -> Nd4j.createFromArray(keep).castTo(x.dataType()).reshape(n, 1));
      idx = s.parent(() -> Nd4j.createFromArray(picks));
      INDArray picked = Indexing.gatherRows(shifted.reshape(n * v), idx); // [count]
      double logZ = Transforms.log(sumExp, true).muli(keepCol).sumNumber().doubleValue();
      loss = (logZ - picked.sumNumber().doubleValue()) / count;
    }
    INDArray out = Nd4j.scalar(x.dataType(), loss);
    final int counted = count;
    return Tensor.result(out, g -> {
      if (logits.requiresGrad()) {
        double scale = g.getDouble(0) / counted;
        INDArray dx = probs.divi(sumExp).muli(keepCol.muli(scale)); // softmax * g / count, 0 on ignored rows
        INDArray ones = Nd4j.valueArrayOf(new long[] {counted}, -scale, x.dataType());
        Indexing.scatterAddInto(dx.reshape(n * v), idx, ones);
        logits.addGradOwned(dx);
      }
    }, logits);
  }
}
