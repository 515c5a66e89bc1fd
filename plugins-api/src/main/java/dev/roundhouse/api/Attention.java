package dev.roundhouse.api;

import dev.roundhouse.tensor.Tensor;

/**
 * A token-mixing block: x [B, T, d] -> [B, T, d], causal (output at position t depends only on
 * positions <= t). Owns its projections; the host adds the residual and the pre-norm.
 *
 * <p>Lifecycle: built once per layer, then {@link #forward} is called once per micro-batch in
 * training and evaluation.
 *
 * <p>Thread-safety: an instance is used by one thread at a time. With data-parallel shards the host
 * builds one instance per shard (its parameters share their values with the primary's and have
 * their own gradients) and calls their {@link #forward} concurrently on different threads, so an
 * implementation must keep no mutable static state (caches of immutable arrays made outside every
 * workspace, in a concurrent map, are fine).
 */
public interface Attention extends Trainable {
  /** x: [B, T, d] -> [B, T, d]. */
  Tensor forward(Tensor x);

  /**
   * Whether {@link #forward(Tensor, DocumentIds)} honours document ids. The host asks once, when a
   * run with {@code data.documentMask} is built, and refuses the run naming the plugin when false.
   *
   * @since 1.1.0
   */
  default boolean supportsDocumentMask() {
    return false;
  }

  /**
   * x: [B, T, d] -> [B, T, d] with document masking: position i attends only to positions of its own
   * document ({@code documents.ids()[b, i] == ids[b, j]}), on top of causality (and any window), so a
   * packed row of several documents gives each document the output it would have alone (up to the
   * position offset, which relative position encodings such as RoPE do not see). Called instead of
   * {@link #forward(Tensor)} on every training and evaluation pass of such a run; same threading and
   * lifecycle as {@link #forward(Tensor)}.
   *
   * <p>The default runs {@link #forward(Tensor)} when {@code documents} is null and otherwise throws:
   * implementations that return true from {@link #supportsDocumentMask} override it.
   *
   * @param documents [B, T] ids of the batch rows, or null for none
   * @since 1.1.0
   */
  default Tensor forward(Tensor x, DocumentIds documents) {
    if (documents == null) {
      return forward(x);
    }
    throw new UnsupportedOperationException(getClass().getName() + " does not support document masking");
  }

  /** KV-cache elements stored per token per layer (for the start-up summary). */
  default long kvCachePerToken() {
    return 0;
  }

  /** Forward FLOPs per token for sequence length T (matmul-dominant terms). */
  default long flopsPerToken(int seqLen) {
    return 0;
  }
}
