package dev.roundhouse.host.train;

import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The host's one way to run training, for the CLI and the desktop app alike: {@link #start} prepares a run (new
 * or resumed, see {@link Runs}) and trains it on the process's one training thread; the returned {@link LiveRun}
 * stops it, waits for it and carries its events.
 *
 * <p>Why one thread: a thread that ends strands the native memory it freed in its own malloc arena (about one
 * training step), so a process that trains run after run (the app) must train every run on the same thread. That
 * thread's step arenas are released after each run ({@link Runs#execute}), and data-parallel shard threads are
 * process-wide and pinned ({@code ShardThreads}). One run trains at a time; a second {@link #start} waits for the
 * first to end.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public final class RunSession {
  /** Builds a run (on the training thread), e.g. {@code bus -> Runs.create(cfg, registry, runsRoot, bus)}. */
  @FunctionalInterface
  public interface Preparer {
    Runs.Prepared prepare(EventBus events);
  }

  private static final ExecutorService TRAINING = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "roundhouse-train");
    t.setDaemon(true);
    return t;
  });

  private RunSession() {}

  /**
   * Prepares and trains a run on the training thread. {@code onPrepared} is called there once the run is built,
   * before its first event ({@code run_started}): the place to print its summary or subscribe to {@code events}.
   */
  public static LiveRun start(Preparer preparer, EventBus events, Consumer<Runs.Prepared> onPrepared) {
    LiveRun live = new LiveRun(events);
    TRAINING.execute(() -> {
      try {
        live.outcome.complete(live.run(preparer, onPrepared));
      } catch (RuntimeException | Error e) {
        live.outcome.completeExceptionally(e);
      }
    });
    return live;
  }

  /** Starts a new run of {@code cfg} in a new directory under {@code runsRoot} (see {@link Runs#create}). */
  public static LiveRun start(RunConfig cfg, PluginRegistry registry, Path runsRoot, EventBus events,
      Consumer<Runs.Prepared> onPrepared) {
    return start(bus -> Runs.create(cfg, registry, runsRoot, bus), events, onPrepared);
  }

  /** Resumes the run in {@code runDir} from its newest good checkpoint (see {@link Runs#resume}). */
  public static LiveRun resume(Path runDir, PluginRegistry registry, Runs.ResumeOptions options, EventBus events,
      Consumer<Runs.Prepared> onPrepared) {
    return start(bus -> Runs.resume(runDir, registry, bus, options), events, onPrepared);
  }

  /** A run being prepared or trained; see {@link RunSession#start}. */
  public static final class LiveRun {
    private final EventBus events;
    private final CompletableFuture<Runs.Prepared> prepared = new CompletableFuture<>();
    private final CompletableFuture<Trainer.Outcome> outcome = new CompletableFuture<>();
    private volatile Trainer trainer;
    private volatile boolean stopRequested;

    private LiveRun(EventBus events) {
      this.events = events;
    }

    private Trainer.Outcome run(Preparer preparer, Consumer<Runs.Prepared> onPrepared) {
      Runs.Prepared p;
      try {
        p = preparer.prepare(events);
      } catch (RuntimeException | Error e) {
        prepared.completeExceptionally(e);
        throw e;
      }
      trainer = p.trainer();
      if (stopRequested) {
        p.trainer().requestStop();
      }
      try {
        onPrepared.accept(p);
      } finally {
        prepared.complete(p);
      }
      return Runs.execute(p);
    }

    /** The events of the run (step, eval, alarms, run_started/finished/failed). */
    public EventBus events() {
      return events;
    }

    /**
     * Asks the run to stop after its current step; it writes a checkpoint first. Before the run is built, it stops
     * as soon as it is. Idempotent.
     */
    public void stop() {
      stopRequested = true;
      Trainer t = trainer;
      if (t != null) {
        t.requestStop();
      }
    }

    /** Waits until the run is built; rethrows what preparing it threw (a config or run-directory error). */
    public Runs.Prepared awaitPrepared() {
      return join(prepared, "the run to be prepared");
    }

    /** Waits for the run to end; rethrows its failure (recorded in metrics.jsonl as run_failed). */
    public Trainer.Outcome await() {
      return join(outcome, "the run");
    }

    /**
     * Calls {@code then} with the outcome, or with the failure (outcome null), when the run ends: on the training
     * thread, or at once on the calling thread if it has already ended.
     */
    public void whenDone(java.util.function.BiConsumer<Trainer.Outcome, Throwable> then) {
      outcome.whenComplete((o, t) -> then.accept(o, t instanceof java.util.concurrent.CompletionException c
          ? c.getCause() : t));
    }

    /** Waits at most {@code millis} for the run to end; true when it has. */
    public boolean awaitEnd(long millis) {
      try {
        outcome.get(millis, TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    private static <T> T join(CompletableFuture<T> f, String what) {
      try {
        return f.get();
      } catch (ExecutionException e) {
        throw rethrown(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }

    private static RuntimeException rethrown(Throwable t) {
      if (t instanceof Error e) {
        throw e;
      }
      return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
  }
}
