package dev.roundhouse.host.data.prepare;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntConsumer;

/**
 * Runs a body for every index 0..n-1 on a fixed number of threads (the caller is one of them):
 * chunks of consecutive indices are claimed in turn, and every body writes its result into slot
 * {@code i} of an array the caller owns, so results never depend on the thread count or timing.
 * One instance per prepare run; not for nested use (a body must not call {@link #forEach}).
 * {@link #close()} stops the worker threads.
 */
final class IndexParallel implements AutoCloseable {

  /** Indices claimed at a time: large enough to keep claiming cheap, small enough to balance. */
  static final int CHUNK = 64;

  private final int threads;
  private final ExecutorService pool;

  /** @param threads threads to run on, at least 1 (1: everything runs on the caller) */
  IndexParallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
      Thread t = new Thread(r, "roundhouse-prepare");
      t.setDaemon(true);
      return t;
    });
  }

  int threads() {
    return threads;
  }

  /** Calls {@code body.accept(i)} once for each i in [0, n); rethrows the first failure (lowest chunk). */
  void forEach(int n, IntConsumer body) {
    forEach(n, body, null);
  }

  /**
   * Calls {@code body.accept(i)} once for each i in [0, n) on any thread and, when {@code inOrder}
   * is not null, {@code inOrder.accept(i)} on the calling thread for i = 0, 1, ... in order, each
   * after body(i) has finished (and sees what it wrote). The calling thread runs the in-order
   * steps between the chunks it computes, so a sequential step overlaps the parallel ones. Rethrows
   * the first failure of body (lowest chunk), before any in-order step past it.
   */
  void forEach(int n, IntConsumer body, IntConsumer inOrder) {
    if (pool == null || n <= CHUNK) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
        if (inOrder != null) {
          inOrder.accept(i);
        }
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    int chunks = (n + CHUNK - 1) / CHUNK;
    RuntimeException[] failures = new RuntimeException[chunks];
    AtomicIntegerArray done = new AtomicIntegerArray(chunks);
    Runnable worker = () -> {
      for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
        runChunk(c, n, body, failures, done);
      }
    };
    List<Future<?>> running = new ArrayList<>();
    for (int t = 1; t < Math.min(threads, chunks); t++) {
      running.add(pool.submit(worker));
    }
    int drained = 0; // chunks whose in-order steps ran
    for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
      runChunk(c, n, body, failures, done);
      if (inOrder != null) {
        drained = drain(drained, chunks, n, done, failures, inOrder);
      }
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    for (RuntimeException e : failures) {
      if (e != null) {
        throw e;
      }
    }
    if (inOrder != null) {
      drain(drained, chunks, n, done, failures, inOrder);
    }
  }

  /** Runs the in-order steps of the finished chunks from {@code from} on; returns the first chunk not run. */
  private static int drain(int from, int chunks, int n, AtomicIntegerArray done, RuntimeException[] failures,
      IntConsumer inOrder) {
    int c = from;
    while (c < chunks && done.get(c) == 1 && failures[c] == null) {
      for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
        inOrder.accept(i);
      }
      c++;
    }
    return c;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  /** Runs body over chunk c's indices; records its first failure instead of throwing; marks it done. */
  private static void runChunk(int c, int n, IntConsumer body, RuntimeException[] failures, AtomicIntegerArray done) {
    try {
      for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
        body.accept(i);
      }
    } catch (RuntimeException e) {
      failures[c] = e;
    }
    done.set(c, 1);
  }
}
