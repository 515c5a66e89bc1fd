package dev.roundhouse.host.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Validation batches: the val stream cut into W = (n - 1) / T windows, window w covering tokens
 * {@code [w*T, w*T + T]} (inputs of consecutive windows do not overlap, so every token after the first
 * is predicted once), grouped in order into batches of up to B rows (the last batch may be smaller).
 * Independent of any seed, so eval numbers are comparable across runs.
 */
public final class ValidationBatches {

  private final TokenStream stream;
  private final int batchSize;
  private final int seqLen;
  private final int windows;

  /**
   * @throws DataException if the stream is shorter than one window of T + 1 tokens
   */
  public ValidationBatches(TokenStream stream, int batchSize, int seqLen) {
    if (batchSize < 1 || seqLen < 1) {
      throw new IllegalArgumentException("batchSize and seqLen must be >= 1, got " + batchSize + ", " + seqLen);
    }
    if (stream.size() < seqLen + 1) {
      throw new DataException(stream.source() + ": " + stream.size()
          + " validation tokens are fewer than one sequence of seqLen + 1 = " + (seqLen + 1));
    }
    this.stream = stream;
    this.batchSize = batchSize;
    this.seqLen = seqLen;
    this.windows = (stream.size() - 1) / seqLen;
  }

  /** W, the number of windows. */
  public int windowCount() {
    return windows;
  }

  /** ceil(W / B). */
  public int batchCount() {
    return (windows + batchSize - 1) / batchSize;
  }

  /** Batch {@code index} in [0, batchCount()): windows {@code [index*B, min(W, index*B + B))}. */
  public Batch batch(int index) {
    if (index < 0 || index >= batchCount()) {
      throw new IndexOutOfBoundsException("validation batch " + index + " of " + batchCount());
    }
    int first = index * batchSize;
    int rows = Math.min(batchSize, windows - first);
    int[] inputs = new int[rows * seqLen];
    int[] targets = new int[rows * seqLen];
    byte[] domains = stream.hasDomains() ? new byte[rows * seqLen] : null;
    for (int row = 0; row < rows; row++) {
      Batch.fillRow(stream, (first + row) * seqLen, row, seqLen, inputs, targets, domains);
    }
    return new Batch(rows, seqLen, inputs, targets, domains);
  }

  /** The first {@code maxBatches} batches in order (all when {@code maxBatches <= 0}). */
  public List<Batch> batches(int maxBatches) {
    int count = maxBatches <= 0 ? batchCount() : Math.min(maxBatches, batchCount());
    List<Batch> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(batch(i));
    }
    return out;
  }
}
