package dev.roundhouse.host.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Batches from a prepared mixture. Each row draws a source by weight from a generator seeded with
 * (seed, batch index), then takes that source's next window of T + 1 tokens: window k of source s
 * starts at {@code (k mod W_s) * T} with {@code W_s = (n_s - 1) / T}, so one pass over W_s windows is
 * one epoch and every token after the first is a target once per epoch. A source that has used its
 * allowed epochs is no longer drawn. The state is the batch index and the windows taken per source
 * (the cursors), which checkpoints store: restoring them continues the exact sequence. Not thread-safe.
 */
final class MixtureSampler {

  private final TokenStream stream;
  private final Mixture mix;
  private final int seqLen;
  private final long[] windowsPerEpoch;
  private final long[] limit;
  private long[] taken;

  MixtureSampler(TokenStream stream, Mixture mix, int seqLen) {
    this.stream = stream;
    this.mix = mix;
    this.seqLen = seqLen;
    int n = mix.size();
    windowsPerEpoch = new long[n];
    limit = new long[n];
    taken = new long[n];
    for (int s = 0; s < n; s++) {
      windowsPerEpoch[s] = (mix.lengths()[s] - 1L) / seqLen;
      if (windowsPerEpoch[s] < 1) {
        throw new DataException("source \"" + mix.names().get(s) + "\": " + mix.lengths()[s]
            + " train tokens are fewer than one sequence of seqLen + 1 = " + (seqLen + 1));
      }
      limit[s] = Math.max(1, (long) Math.floor(mix.epochs()[s] * windowsPerEpoch[s]));
    }
  }

  /** Fills batch {@code index}'s rows, advancing the per-source cursors. */
  Batch next(long seed, long index, int batchSize) {
    SplittableRandom rng = new SplittableRandom(BatchLoader.mix(seed ^ 0x5DEECE66DL, index));
    int n = batchSize * seqLen;
    int[] inputs = new int[n];
    int[] targets = new int[n];
    byte[] domains = new byte[n];
    for (int row = 0; row < batchSize; row++) {
      int s = pick(rng.nextDouble(), index);
      long k = taken[s]++;
      int start = mix.offsets()[s] + (int) ((k % windowsPerEpoch[s]) * seqLen);
      Batch.fillRow(stream, start, row, seqLen, inputs, targets, domains);
    }
    return new Batch(batchSize, seqLen, inputs, targets, domains);
  }

  private int pick(double u, long index) {
    double total = 0;
    for (int s = 0; s < taken.length; s++) {
      total += taken[s] < limit[s] ? mix.weights()[s] : 0;
    }
    if (total <= 0) {
      throw new DataException("every source has used up its allowed epochs at batch " + index + " ("
          + mix.names() + " epochs " + Arrays.toString(mix.epochs()) + "): raise a source's epochs or train fewer steps");
    }
    double x = u * total;
    int last = -1;
    for (int s = 0; s < taken.length; s++) {
      if (taken[s] < limit[s]) {
        last = s;
        x -= mix.weights()[s];
        if (x < 0) {
          return s;
        }
      }
    }
    return last;
  }

  /** Passes made over each source so far (windows taken / windows per epoch). */
  double[] epochsSeen() {
    double[] e = new double[taken.length];
    for (int s = 0; s < e.length; s++) {
      e[s] = (double) taken[s] / windowsPerEpoch[s];
    }
    return e;
  }

  long[] cursors() {
    return taken.clone();
  }

  void restore(long[] cursors) {
    if (cursors.length != taken.length) {
      throw new DataException("checkpoint has data cursors for " + cursors.length + " sources, the prepared dataset has "
          + taken.length + " (" + mix.names() + ")");
    }
    taken = cursors.clone();
  }
}
