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

  /** KV-cache elements stored per token per layer (for the start-up summary). */
  default long kvCachePerToken() {
    return 0;
  }

  /** Forward FLOPs per token for sequence length T (matmul-dominant terms). */
  default long flopsPerToken(int seqLen) {
    return 0;
  }
}
