package dev.roundhouse.host.data;

/**
 * One batch of sequences, arrays row-major. Legend: B = rows, T = seqLen.
 *
 * @param rows B, the number of sequences
 * @param seqLen T, tokens per sequence
 * @param inputs [B, T] token ids
 * @param targets [B, T] the next token of each input: {@code targets[b, t]} is the token after
 *     {@code inputs[b, t]} in the stream
 * @param targetDomains [B, T] domain id of each target token, or null when the source has no domains
 */
public record Batch(int rows, int seqLen, int[] inputs, int[] targets, byte[] targetDomains) {
  public Batch {
    int n = rows * seqLen;
    if (rows < 1 || seqLen < 1 || inputs.length != n || targets.length != n
        || (targetDomains != null && targetDomains.length != n)) {
      throw new IllegalArgumentException("batch arrays do not match [" + rows + ", " + seqLen + "]: inputs "
          + inputs.length + ", targets " + targets.length
          + (targetDomains == null ? "" : ", domains " + targetDomains.length));
    }
  }

  /** Number of target tokens, B * T. */
  public int tokenCount() {
    return rows * seqLen;
  }

  /**
   * Shard {@code shard} of {@code shards}: rows [shard * B / shards, (shard + 1) * B / shards), a copy.
   * B must be divisible by {@code shards}.
   */
  public Batch shard(int shard, int shards) {
    if (shards == 1) {
      return this;
    }
    if (rows % shards != 0 || shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("cannot take shard " + shard + " of " + shards + " from " + rows + " rows");
    }
    int r = rows / shards;
    int from = shard * r * seqLen;
    int to = from + r * seqLen;
    return new Batch(r, seqLen, java.util.Arrays.copyOfRange(inputs, from, to),
        java.util.Arrays.copyOfRange(targets, from, to),
        targetDomains == null ? null : java.util.Arrays.copyOfRange(targetDomains, from, to));
  }

  /** Fills row {@code row} from {@code stream} tokens {@code [start, start + T]} (T + 1 tokens). */
  static void fillRow(TokenStream stream, int start, int row, int seqLen, int[] inputs, int[] targets,
      byte[] domains) {
    int at = row * seqLen;
    System.arraycopy(stream.tokens(), start, inputs, at, seqLen);
    System.arraycopy(stream.tokens(), start + 1, targets, at, seqLen);
    if (domains != null) {
      System.arraycopy(stream.domains(), start + 1, domains, at, seqLen);
    }
  }
}
