package dev.roundhouse.api;

import java.util.function.IntConsumer;

/**
 * Independent iterations run on the host's threads: with data-parallel shards the host lends the
 * shard threads, idle while the optimizer steps, through {@link OptimizerContext#parallel()}.
 *
 * <p>Contract for callers: iterations must be independent (write disjoint arrays, e.g. one parameter
 * and its own state slots each) and must not depend on the order they run in, so the result is the
 * same as a sequential loop. Iterations on other threads run with gradient recording off and inside
 * a step arena of their own (temporaries die when the iteration's chunk ends). Thread-safety: an
 * implementation may be called from one thread at a time.
 */
@FunctionalInterface
public interface ParallelLoop {
  /** Runs every iteration in order on the calling thread. */
  ParallelLoop SEQUENTIAL = (count, body) -> {
    for (int i = 0; i < count; i++) {
      body.accept(i);
    }
  };

  /**
   * Calls {@code body.accept(i)} for every i in [0, count), possibly several at once on different
   * threads, and returns when all have finished. If iterations throw, the exception of the lowest
   * index is rethrown after all have finished.
   */
  void forEach(int count, IntConsumer body);
}
