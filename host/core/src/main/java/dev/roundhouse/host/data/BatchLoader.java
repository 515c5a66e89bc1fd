package dev.roundhouse.host.data;

import java.util.SplittableRandom;

/**
 * Training batches: B sequences of T + 1 consecutive tokens each (inputs and next-token targets),
 * starting at offsets drawn uniformly from {@code [0, n - T - 1]} of the train stream.
 *
 * <p>Batch {@code i} is a pure function of (seed, i): its offsets come from a {@link SplittableRandom}
 * seeded with a hash of both. So the whole loader state is a {@link LoaderCursor}, restoring it gives
 * exactly the batches the uninterrupted run would have seen, and the same seed gives the same batches
 * on every machine. Not thread-safe.
 */
public final class BatchLoader {

  private final TokenStream stream;
  private final MixtureSampler mixture;
  private final int batchSize;
  private final int seqLen;
  private long seed;
  private long step;

  /**
   * @param stream tokens to sample from (the train split)
   * @param batchSize B, sequences per batch
   * @param seqLen T, tokens per sequence
   * @param seed sampling seed
   * @throws DataException if the stream is shorter than T + 1 tokens
   */
  public BatchLoader(TokenStream stream, int batchSize, int seqLen, long seed) {
    this(stream, null, batchSize, seqLen, seed);
  }

  /**
   * A loader over a prepared mixture ({@link MixtureSampler}): per-source sampling by weight, with
   * per-source cursors in {@link #cursor()}. With a null mixture, uniform offsets as above.
   */
  public BatchLoader(TokenStream stream, Mixture mixture, int batchSize, int seqLen, long seed) {
    if (batchSize < 1 || seqLen < 1) {
      throw new IllegalArgumentException("batchSize and seqLen must be >= 1, got " + batchSize + ", " + seqLen);
    }
    if (stream.size() < seqLen + 1) {
      throw new DataException(stream.source() + ": " + stream.size()
          + " tokens are fewer than one sequence of seqLen + 1 = " + (seqLen + 1));
    }
    this.stream = stream;
    this.mixture = mixture == null ? null : new MixtureSampler(stream, mixture, seqLen);
    this.batchSize = batchSize;
    this.seqLen = seqLen;
    this.seed = seed;
  }

  /** The next batch; advances the cursor by one. */
  public Batch next() {
    if (mixture != null) {
      return mixture.next(seed, step++, batchSize);
    }
    return batchAt(step++);
  }

  /** Passes made over each mixture source so far; empty without a mixture. */
  public double[] epochsSeen() {
    return mixture == null ? new double[0] : mixture.epochsSeen();
  }

  /**
   * Batch number {@code index} of this seed, without moving the cursor (uniform sampling only: a
   * mixture's batches depend on its cursors).
   */
  public Batch batchAt(long index) {
    if (mixture != null) {
      throw new UnsupportedOperationException("batchAt is not defined for a prepared mixture; use next()");
    }
    SplittableRandom rng = new SplittableRandom(mix(seed, index));
    int n = batchSize * seqLen;
    int[] inputs = new int[n];
    int[] targets = new int[n];
    byte[] domains = stream.hasDomains() ? new byte[n] : null;
    int bound = stream.size() - seqLen; // offsets in [0, size - T - 1]
    for (int row = 0; row < batchSize; row++) {
      Batch.fillRow(stream, rng.nextInt(bound), row, seqLen, inputs, targets, domains);
    }
    return new Batch(batchSize, seqLen, inputs, targets, domains);
  }

  /** Current position, for checkpoints. */
  public LoaderCursor cursor() {
    return new LoaderCursor(seed, step, mixture == null ? new long[0] : mixture.cursors());
  }

  /** Moves to {@code cursor} (seed included), so {@link #next()} continues the saved sequence. */
  public void restore(LoaderCursor cursor) {
    this.seed = cursor.seed();
    this.step = cursor.step();
    if (mixture != null) {
      mixture.restore(cursor.sources());
    }
  }

  public int batchSize() {
    return batchSize;
  }

  public int seqLen() {
    return seqLen;
  }

  /** Hash of (seed, index) into a seed for one batch's generator (SplitMix64 finalizers). */
  static long mix(long seed, long index) {
    return fmix(seed + fmix(index + 0x9E3779B97F4A7C15L));
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
