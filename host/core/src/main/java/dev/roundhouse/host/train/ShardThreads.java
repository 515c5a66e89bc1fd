package dev.roundhouse.host.train;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide threads that run data-parallel shards 1.. of every run in this JVM (shard 0 runs
 * on the training thread). Daemon threads, created on first need, grown to the largest shard count
 * any run asked for, never stopped: each keeps its step arena and its malloc arena for the next run,
 * so the memory of a process that trains many runs (the desktop app, test suites) stays bounded.
 * Threads started per run would each strand about one step's memory when they exit.
 */
final class ShardThreads {
  private static final AtomicInteger NEXT = new AtomicInteger(1);
  private static ThreadPoolExecutor pool;

  private ShardThreads() {}

  /** An executor with at least {@code threads} threads. */
  static synchronized ExecutorService atLeast(int threads) {
    if (pool == null) {
      pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
        Thread t = new Thread(task, "roundhouse-shard-" + NEXT.getAndIncrement());
        t.setDaemon(true);
        return t;
      });
    } else if (pool.getMaximumPoolSize() < threads) {
      pool.setMaximumPoolSize(threads);
      pool.setCorePoolSize(threads);
    }
    return pool;
  }
}
