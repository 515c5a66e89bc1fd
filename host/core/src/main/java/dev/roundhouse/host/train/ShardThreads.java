package dev.roundhouse.host.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The process-wide threads that run data-parallel shards 1.. of every run in this JVM (shard 0 runs
 * on the training thread): thread k always runs shard k, created on first need, never stopped.
 * Each keeps its step arena (as large as the largest shard step it ran) and its malloc arena for the
 * next run, so a process that trains run after run (the desktop app, test suites) stays flat.
 * Threads started per run, or a pool handing shards to whichever thread is free, would each strand
 * about one shard step of native memory: glibc keeps what a thread freed in that thread's malloc
 * arena. Runs that train at the same time share these threads (correct, slower).
 */
final class ShardThreads {
  private static final List<ExecutorService> THREADS = new ArrayList<>(); // [k - 1] runs shard k

  private ShardThreads() {}

  /** The single thread that runs shard {@code shard} (>= 1) of every run. */
  static synchronized ExecutorService forShard(int shard) {
    if (shard < 1) {
      throw new IllegalArgumentException("shard 0 runs on the training thread, got " + shard);
    }
    while (THREADS.size() < shard) {
      String name = "roundhouse-shard-" + (THREADS.size() + 1);
      THREADS.add(Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
      }));
    }
    return THREADS.get(shard - 1);
  }
}
