package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * Runs a sweep's trials on this machine, each as a child process of the ordinary headless host ({@code roundhouse
 * sweep trial DIR INDEX}), side by side within a thread budget: a trial costs {@code train.dataParallel} threads (its
 * shard threads) and trials start, in index order, while the running ones' costs sum to at most the budget (a trial
 * costing more than the whole budget runs alone). Finished trials are skipped; interrupted and failed ones are resumed
 * from their newest checkpoint. {@link #stop()} (Ctrl-C) asks every running trial to checkpoint and exit (SIGTERM),
 * then waits for them.
 *
 * <p>Child processes rather than threads in this JVM: a trial's native memory and threads end with its process, a
 * crash or OOM takes down one trial, not the sweep, and the same command runs a trial under Slurm.
 *
 * <p>{@link #run()} runs on one thread; {@link #stop()} may be called from any thread.
 */
public final class LocalExecutor {
  private final SweepFolder folder;
  private final IntFunction<List<String>> command;
  private final int threads;
  private final PrintStream out;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Map<String, Process> running = new LinkedHashMap<>();

  /** How the queue ended: trials finished, failed, and left (interrupted or never started). */
  public record Result(int done, int failed, int left) {}

  /**
   * @param command the child command for a trial index (java, its options, class path, main class, arguments)
   * @param threads the thread budget (trials x shards <= threads)
   */
  public LocalExecutor(SweepFolder folder, IntFunction<List<String>> command, int threads, PrintStream out) {
    this.folder = folder;
    this.command = command;
    this.threads = Math.max(1, threads);
    this.out = out;
  }

  /** Runs every unfinished trial; returns when all have ended or after {@link #stop()}. */
  public Result run() {
    Deque<JsonNode> queue = new ArrayDeque<>();
    int done = 0;
    for (JsonNode t : folder.trials()) {
      TrialState s = folder.state(t.path("id").asText());
      if (s.status() == TrialState.Status.DONE) {
        done++;
      } else {
        queue.add(t);
      }
    }
    int total = folder.trials().size();
    if (done > 0) {
      out.println(done + " of " + total + " trials already finished; skipped");
    }
    Map<String, Integer> cost = new LinkedHashMap<>();
    int failed = 0;
    int used = 0;
    try {
      Files.createDirectories(folder.root().resolve("logs"));
      while (!queue.isEmpty() || !running.isEmpty()) {
        synchronized (running) {
          while (!stop.get() && !queue.isEmpty()) {
            JsonNode t = queue.peek();
            String id = t.path("id").asText();
            int c = Math.min(threads, costOf(id));
            if (used + c > threads && !running.isEmpty()) {
              break;
            }
            queue.poll();
            TrialState before = folder.state(id);
            ProcessBuilder pb = new ProcessBuilder(command.apply(t.path("index").asInt()));
            pb.environment().putIfAbsent("OMP_NUM_THREADS", "1"); // a trial's threads are its shard threads
            Process p = pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.logFile(id).toFile()))
                .start();
            running.put(id, p);
            cost.put(id, c);
            used += c;
            out.println((before.status() == TrialState.Status.PENDING ? "started " : "resuming ") + id
                + (before.step() > 0 ? " from step ~" + before.step() : "") + " (" + c + " thread" + (c > 1 ? "s" : "")
                + ", log " + folder.root().relativize(folder.logFile(id)) + ")");
          }
        }
        if (stop.get() && running.isEmpty()) {
          break;
        }
        Thread.sleep(200);
        synchronized (running) {
          for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().isAlive()) {
              continue;
            }
            it.remove();
            used -= cost.remove(e.getKey());
            TrialState s = folder.state(e.getKey());
            int code = e.getValue().exitValue();
            if (s.status() == TrialState.Status.DONE) {
              done++;
              out.println("finished " + e.getKey() + " [" + done + "/" + total + "]");
            } else if (stop.get() || code == 130) {
              out.println("interrupted " + e.getKey() + " at step " + s.step() + " (checkpoint written)");
            } else {
              failed++;
              out.println("FAILED " + e.getKey() + " (exit " + code + ")" + (s.error() == null ? "" : ": " + s.error())
                  + "\n  log tail:\n    " + folder.logTail(e.getKey(), 8).replace("\n", "\n    "));
            }
          }
        }
      }
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(folder.root() + ": cannot start a trial process: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
    return new Result(done, failed, total - done - failed);
  }

  /** Asks every running trial to checkpoint and exit (SIGTERM), starts no more, and waits up to 5 minutes. */
  public void stop() {
    stop.set(true);
    List<Process> procs;
    synchronized (running) {
      procs = new ArrayList<>(running.values());
    }
    procs.forEach(Process::destroy);
    long deadline = System.nanoTime() + 300_000_000_000L;
    for (Process p : procs) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A trial's thread cost: its data-parallel shard count. */
  private int costOf(String id) {
    JsonNode cfg = dev.roundhouse.host.run.Json.read(folder.trialConfigFile(id));
    return Math.max(1, cfg.path("train").path("dataParallel").asInt(1));
  }

  /** The thread budget when none is given: the machine's cores. */
  public static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

}
