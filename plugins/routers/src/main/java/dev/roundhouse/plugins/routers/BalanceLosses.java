package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The load-balancing losses a token-choice router can add, each with its coefficient applied.
 * Legend: N tokens, E experts, B = N / T sequences of length T, M assignments (token, expert).
 *
 * <p>All aux losses are {@code coef * sum_i f_i * P_i} with P_i the mean normalised score of expert
 * i (softmax probabilities, or sigmoid scores divided by their row sum so the router cannot lower
 * the loss by shrinking every score) and f_i = E * (assignments to i) / (assignments), a constant:
 * <ul>
 *   <li>{@code batch} (loss "aux"): over the whole micro-batch (Switch Transformer).</li>
 *   <li>{@code sequence} (loss "seq_aux"): per sequence, then averaged over the B sequences
 *       (DeepSeek-V3's sequence-wise balance loss). Equals "aux" when B = 1.</li>
 *   <li>{@code global} (loss "global_aux"): f_i from the counts of every training micro-batch of the
 *       current optimizer step so far (running accumulation over gradient accumulation, reset by
 *       {@link #afterOptimizerStep()}); P_i from this micro-batch. Equals "aux" with gradAccum = 1.
 *       Forward passes inside a {@link NoGrad} scope (evaluation) read but never add counts.</li>
 * </ul>
 * Router z-loss (loss "z"): {@code zCoef * mean_n(logsumexp(logits_n)^2)}. A loss is present only when
 * its coefficient is > 0. Not thread-safe (one training thread).
 */
final class BalanceLosses {
  /** Where the aux loss's expert fractions are counted. */
  enum Scope {
    BATCH("batch", "aux"), SEQUENCE("sequence", "seq_aux"), GLOBAL("global", "global_aux");

    private final String configName;
    private final String lossName;

    Scope(String configName, String lossName) {
      this.configName = configName;
      this.lossName = lossName;
    }

    String configName() {
      return configName;
    }

    String lossName() {
      return lossName;
    }

    static Scope of(String router, String name) {
      for (Scope s : values()) {
        if (s.configName.equals(name)) {
          return s;
        }
      }
      throw new IllegalArgumentException("auxLossScope: must be \"batch\", \"sequence\" or \"global\", got \""
          + name + "\" (" + router + ")");
    }
  }

  private final double auxCoef;
  private final Scope scope;
  private final double zCoef;
  private final int numExperts;
  private final long[] stepCounts; // [E] global scope: assignments of this step's training micro-batches

  BalanceLosses(double auxCoef, Scope scope, double zCoef, int numExperts) {
    this.auxCoef = auxCoef;
    this.scope = scope;
    this.zCoef = zCoef;
    this.numExperts = numExperts;
    this.stepCounts = new long[numExperts];
  }

  boolean needsScores() {
    return auxCoef > 0;
  }

  /**
   * scores: [N, E] normalised scores (rows sum to 1; may be null when {@link #needsScores()} is
   * false); logits: [N, E]; tokenIndex/expertIndex: [M] assignments; seqLen: T.
   */
  Map<String, Tensor> compute(Tensor scores, Tensor logits, int[] tokenIndex, int[] expertIndex, int seqLen) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (auxCoef > 0) {
      out.put(scope.lossName(), switch (scope) {
        case BATCH -> batchAux(scores, counts(expertIndex));
        case SEQUENCE -> sequenceAux(scores, tokenIndex, expertIndex, seqLen);
        case GLOBAL -> globalAux(scores, expertIndex);
      });
    }
    if (zCoef > 0) {
      Tensor lse = Reductions.logSumExp(logits, 1, false); // [N]
      out.put("z", Elementwise.scale(Reductions.meanAll(Pointwise.square(lse)), zCoef));
    }
    return out;
  }

  /** Starts a new optimizer step for the global scope. */
  void afterOptimizerStep() {
    java.util.Arrays.fill(stepCounts, 0);
  }

  private long[] counts(int[] expertIndex) {
    long[] c = new long[numExperts];
    for (int e : expertIndex) {
      c[e]++;
    }
    return c;
  }

  /** coef * E * sum_i (c_i / sum c) * mean_n(scores[n, i]). */
  private Tensor batchAux(Tensor scores, long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] f = new double[numExperts];
    for (int i = 0; i < numExperts; i++) {
      f[i] = total == 0 ? 0 : auxCoef * numExperts * counts[i] / (double) total;
    }
    Tensor meanScore = Reductions.mean(scores, false, 0); // [E]
    return Reductions.sumAll(Elementwise.mul(meanScore, constant(f, scores, numExperts)));
  }

  /** coef / B * sum_b E * sum_i (c_bi / sum_i c_bi) * mean_t(scores[b, t, i]). */
  private Tensor sequenceAux(Tensor scores, int[] tokenIndex, int[] expertIndex, int seqLen) {
    long n = scores.size(0);
    if (seqLen <= 0 || n % seqLen != 0) {
      throw new IllegalArgumentException("auxLossScope \"sequence\" needs N divisible by seqLen, got N=" + n
          + ", seqLen=" + seqLen);
    }
    int b = (int) (n / seqLen);
    double[] counts = new double[b * numExperts]; // [B, E]
    double[] perSeq = new double[b];
    for (int m = 0; m < expertIndex.length; m++) {
      int s = tokenIndex[m] / seqLen;
      counts[s * numExperts + expertIndex[m]]++;
      perSeq[s]++;
    }
    for (int s = 0; s < b; s++) {
      for (int i = 0; i < numExperts; i++) {
        counts[s * numExperts + i] *= perSeq[s] == 0 ? 0 : auxCoef * numExperts / (perSeq[s] * b);
      }
    }
    Tensor meanScore = Reductions.mean(Shapes.reshape(scores, b, seqLen, numExperts), false, 1); // [B, E]
    return Reductions.sumAll(Elementwise.mul(meanScore, constant(counts, scores, b, numExperts)));
  }

  private Tensor globalAux(Tensor scores, int[] expertIndex) {
    long[] now = counts(expertIndex);
    long[] total = new long[numExperts];
    boolean training = !NoGrad.active();
    for (int i = 0; i < numExperts; i++) {
      if (training) {
        stepCounts[i] += now[i];
        total[i] = stepCounts[i];
      } else {
        total[i] = stepCounts[i] + now[i];
      }
    }
    return batchAux(scores, total);
  }

  private static Tensor constant(double[] values, Tensor like, long... shape) {
    return Tensor.constant(Nd4j.createFromArray(values).castTo(like.dataType()).reshape(shape));
  }
}
