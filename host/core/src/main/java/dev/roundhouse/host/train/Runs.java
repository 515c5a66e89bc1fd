package dev.roundhouse.host.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.JsonlMetricsWriter;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginInfo;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.LoadedCheckpoint;
import dev.roundhouse.host.run.PluginRecord;
import dev.roundhouse.host.run.Provenance;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.tensor.StepArena;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting and resuming runs: the one place that wires a {@link TrainingRun} to its run directory
 * records (provenance, metrics.jsonl) and lifecycle events (run_started, run_finished, run_failed).
 * The CLI and the desktop app both go through here.
 */
public final class Runs {
  private static final Logger LOG = LoggerFactory.getLogger(Runs.class);

  private Runs() {}

  /**
   * A prepared run, ready to {@link #execute}. {@code registry} (may be null) attributes failures to the plugin at
   * fault; it must stay open until {@link #execute} returns.
   */
  public record Prepared(TrainingRun run, Trainer trainer, int startStep, PluginRegistry registry) {
    public Prepared(TrainingRun run, Trainer trainer, int startStep) {
      this(run, trainer, startStep, null);
    }
  }

  /** Creates a new run directory and everything in it; nothing is trained yet. */
  public static Prepared create(RunConfig cfg, PluginRegistry registry, Path runsRoot, EventBus events) {
    return create(cfg, registry, runsRoot, events, null);
  }

  /**
   * As {@link #create(RunConfig, PluginRegistry, Path, EventBus)}, for a sweep trial: {@code sweep} ({@code {"id",
   * "trial", "index", "point"}}, may be null) is recorded in provenance.json.
   */
  public static Prepared create(RunConfig cfg, PluginRegistry registry, Path runsRoot, EventBus events,
      JsonNode sweep) {
    TrainingRun run = RunFactory.create(cfg, registry, runsRoot, events);
    try {
      writeProvenance(run, registry, sweep);
    } catch (RuntimeException e) {
      run.directory().close();
      throw e;
    }
    return new Prepared(run, new Trainer(run), 0, registry);
  }

  /**
   * Reopens {@code runDir} at its newest good checkpoint (corrupt or incomplete newer ones are skipped with a
   * warning); a run killed before its first checkpoint starts again from step 0 in the same directory. A config that no longer resolves to the
   * same fingerprint (e.g. a plugin's defaults changed) is refused naming the changed keys unless
   * {@code force}.
   */
  public static Prepared resume(Path runDir, PluginRegistry registry, EventBus events, boolean force) {
    RunDirectory dir;
    try {
      dir = RunDirectory.open(runDir);
    } catch (IOException e) {
      throw new UncheckedIOException(runDir + ": " + e.getMessage(), e);
    }
    try {
      JsonNode stored = dir.readConfig();
      RunConfig cfg = ConfigLoader.bind((ObjectNode) stored.deepCopy(), dir.configFile().toString());
      TrainingRun run;
      try {
        run = RunFactory.reopen(dir, cfg, registry, events);
      } catch (RuntimeException e) {
        RuntimeException failure = PluginFaults.unchecked(e, registry);
        RunFactory.recordFailure(dir, failure);
        throw failure;
      }
      Optional<LoadedCheckpoint> latest = run.checkpoints().latest();
      if (latest.isEmpty()) {
        LOG.warn("{}: no complete checkpoint yet; starting again from step 0", runDir);
        return new Prepared(run, new Trainer(run), 0, registry);
      }
      LoadedCheckpoint ckpt = latest.get();
      String saved = ckpt.meta().path("config_fingerprint").asText();
      if (!saved.equals(run.fingerprint()) && !force) {
        List<String> changed = RunFactory.changedKeys(ckpt.meta().get("config"), run.resolvedConfig(), "");
        throw new IllegalStateException(runDir + ": the config differs from the one the checkpoint was trained with"
            + (changed.isEmpty() ? "" : " (changed: " + String.join(", ", changed) + ")")
            + "; use --force to resume anyway");
      }
      Trainer trainer = new Trainer(run);
      trainer.restore(ckpt);
      return new Prepared(run, trainer, (int) ckpt.step(), registry);
    } catch (RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /**
   * Trains a prepared run to the end (or a stop request), writing metrics.jsonl and lifecycle
   * events; a failure is recorded as run_failed and rethrown. Closes the run directory and frees
   * this thread's step arenas (shard threads keep theirs for the next run, see ShardThreads). Call
   * it from a thread that is reused for later runs, not a new thread per run (see {@link
   * StepArena#releaseThreadArenas()}).
   */
  public static Trainer.Outcome execute(Prepared p) {
    TrainingRun run = p.run();
    long t0 = System.nanoTime();
    JsonlMetricsWriter writer;
    try {
      writer = new JsonlMetricsWriter(run.directory().metricsFile());
    } catch (IOException e) {
      throw new UncheckedIOException(run.directory().metricsFile() + ": " + e.getMessage(), e);
    }
    EventBus.Subscription sub = run.events().subscribe(writer);
    try {
      run.events().publish(new RunEvent.RunStarted(p.startStep(), run.directory().root().toString(),
          run.config().train().steps(), run.resolvedConfig(), readProvenance(run)));
      Trainer.Outcome outcome = p.trainer().train();
      double wall = (System.nanoTime() - t0) / 1e9;
      if (!outcome.stopped()) {
        run.events().publish(new RunEvent.RunFinished(outcome.step(), wall, outcome.lastValLoss()));
      }
      return outcome;
    } catch (RuntimeException | Error e) {
      Throwable failure = PluginFaults.attribute(e, p.registry());
      run.events().publish(RunEvent.RunFailed.of(p.trainer().step(), failure));
      if (failure instanceof Error err) {
        throw err;
      }
      throw (RuntimeException) failure;
    } finally {
      closeQuietly(sub);
      closeQuietly(writer);
      run.directory().close();
      StepArena.releaseThreadArenas(); // this thread's step-sized native blocks, until its next run
    }
  }

  private static void writeProvenance(TrainingRun run, PluginRegistry registry, JsonNode sweep) {
    List<PluginRecord> plugins = registry.pluginInfo().stream().map(Runs::record).toList();
    Provenance prov = Provenance.builder().seed(run.config().seed()).startTime(Instant.now()).plugins(plugins)
        .sweep(sweep).build();
    try {
      run.directory().writeProvenance(prov);
    } catch (IOException e) {
      throw new UncheckedIOException(run.directory().provenanceFile() + ": " + e.getMessage(), e);
    }
  }

  private static PluginRecord record(PluginInfo i) {
    return new PluginRecord(i.id(), i.version(), i.jar() == null ? null : i.jar().toString(), i.sha256());
  }

  private static JsonNode readProvenance(TrainingRun run) {
    try {
      return Json.mapper().readTree(run.directory().provenanceFile().toFile());
    } catch (IOException e) {
      return null;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing a metrics file or a subscription must not hide the run's own outcome
    }
  }
}
