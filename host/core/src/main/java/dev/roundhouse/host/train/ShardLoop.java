package dev.roundhouse.host.train;

import dev.roundhouse.api.ParallelLoop;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.StepArena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A {@link ParallelLoop} over the calling (training) thread and shard threads 1 .. {@code threads - 1}
 * of the process ({@link ShardThreads}): every thread takes the next unclaimed index until none is left, so uneven
 * iterations (large and small parameters) balance themselves. Helper threads run their iterations
 * with gradient recording off and inside their own step arena ("parallel"). Used between steps, when
 * the shard threads are idle: the optimizer step and the host's gradient sum, norm, clipping and
 * zeroing. Thread-safety: one caller at a time per run.
 */
final class ShardLoop implements ParallelLoop {
  private final int threads;

  private ShardLoop(int threads) {
    this.threads = threads;
  }

  /** The loop for a run with {@code threads} data-parallel shards (sequential for one). */
  static ParallelLoop of(int threads) {
    return threads <= 1 ? SEQUENTIAL : new ShardLoop(threads);
  }

  @Override
  public void forEach(int count, IntConsumer body) {
    int helpers = Math.min(threads - 1, count - 1);
    if (helpers <= 0) {
      SEQUENTIAL.forEach(count, body);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    RuntimeException[] errors = new RuntimeException[count];
    Runnable drain = () -> {
      for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
        try {
          body.accept(i);
        } catch (RuntimeException e) {
          errors[i] = e;
        }
      }
    };
    List<Future<?>> running = new ArrayList<>();
    for (int h = 1; h <= helpers; h++) {
      running.add(ShardThreads.forShard(h).submit(() -> {
        try (NoGrad ng = NoGrad.enter(); StepArena arena = StepArena.open("parallel")) {
          drain.run();
        }
      }));
    }
    drain.run();
    Error fatal = null;
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error err && fatal == null) {
          fatal = err;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a parallel loop", e);
      }
    }
    if (fatal != null) {
      throw fatal;
    }
    for (RuntimeException e : errors) {
      if (e != null) {
        throw e;
      }
    }
  }
}
