package dev.roundhouse.host.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigChanges;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.JsonlMetricsWriter;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.LoadedCheckpoint;
import dev.roundhouse.host.run.IoReasons;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.run.RunDirectoryException;
import dev.roundhouse.host.run.DataFingerprint;
import java.nio.file.Files;
import dev.roundhouse.tensor.StepArena;
import java.io.IOException;
import java.nio.file.Path;
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
      RunRecord.writeProvenance(run, registry, sweep);
    } catch (RuntimeException e) {
      run.directory().close();
      throw e;
    }
    return new Prepared(run, new Trainer(run), 0, registry);
  }

  /**
   * How far {@link #resume} may go when the run directory does not match what it was trained with.
   *
   * @param force resume although the config resolves differently now (e.g. a plugin default changed)
   * @param forceDataChange resume although a data file changed, appeared or disappeared since the checkpoint
   * @param restart start again from step 0 when checkpoints were written but none is usable (all damaged, or the
   *     checkpoints folder deleted)
   */
  public record ResumeOptions(boolean force, boolean forceDataChange, boolean restart) {
    public static final ResumeOptions STRICT = new ResumeOptions(false, false, false);
  }

  /** {@link #resume(Path, PluginRegistry, EventBus, ResumeOptions)} with only {@code force} set as given. */
  public static Prepared resume(Path runDir, PluginRegistry registry, EventBus events, boolean force) {
    return resume(runDir, registry, events, new ResumeOptions(force, false, false));
  }

  /**
   * Reopens {@code runDir} at its newest good checkpoint (corrupt or incomplete newer ones are skipped with a
   * warning). Checked before anything is trained, each refusal a {@link RunDirectoryException} naming the directory
   * or file: not a run directory or a broken config.json; the directory not writable; checkpoints once written
   * (metrics.jsonl records them) but none usable, unless {@code restart}; a config that no longer resolves to the
   * same fingerprint, naming the changed keys, unless {@code force}; data files that changed since the checkpoint
   * ({@code run.DataFingerprint}), naming them, unless {@code forceDataChange}. A run killed before its first checkpoint
   * starts again from step 0 in the same directory.
   */
  public static Prepared resume(Path runDir, PluginRegistry registry, EventBus events, ResumeOptions options) {
    RunDirectory.requireRunDirectory(runDir);
    JsonNode stored = RunDirectory.readConfig(runDir);
    RunDirectory dir;
    try {
      dir = RunDirectory.open(runDir);
    } catch (IOException e) {
      throw new RunDirectoryException("cannot open run directory " + runDir + " for writing: "
          + IoReasons.describe(e), e);
    }
    try {
      dir.checkWritable();
      RunConfig cfg = ConfigLoader.bind((ObjectNode) stored.deepCopy(), dir.configFile().toString());
      TrainingRun run;
      try {
        run = RunFactory.reopen(dir, cfg, registry, events);
      } catch (RuntimeException e) {
        RuntimeException failure = PluginFaults.unchecked(e, registry);
        RunRecord.recordFailure(dir, 0, failure);
        throw failure;
      }
      Optional<LoadedCheckpoint> latest = run.checkpoints().latest();
      if (latest.isEmpty()) {
        long written = RunRecord.checkpointsRecorded(dir);
        if (written > 0 && !options.restart()) {
          throw new RunDirectoryException(runDir + ": no usable checkpoint ("
              + (Files.isDirectory(dir.checkpointsDir()) && !run.checkpoints().steps().isEmpty()
                  ? "every one in " + dir.checkpointsDir() + " is damaged" : "the checkpoints folder is empty or gone")
              + ", though metrics.jsonl records " + written + " written); use --restart to train again from step 0");
        }
        LOG.warn("{}: {}; starting again from step 0", runDir,
            written > 0 ? "no usable checkpoint (--restart)" : "no complete checkpoint yet");
        return new Prepared(run, new Trainer(run), 0, registry);
      }
      LoadedCheckpoint ckpt = latest.get();
      String saved = ckpt.meta().path("config_fingerprint").asText();
      if (!saved.equals(run.fingerprint()) && !options.force()) {
        List<String> changed = ConfigChanges.changedKeys(ckpt.meta().get("config"), run.resolvedConfig(), "");
        throw new RunDirectoryException(runDir + ": the config differs from the one the checkpoint was trained with"
            + (changed.isEmpty() ? "" : " (changed: " + String.join(", ", changed) + ")")
            + "; use --force to resume anyway");
      }
      checkData(runDir, ckpt, run.dataFingerprint(), options.forceDataChange());
      Trainer trainer = new Trainer(run);
      trainer.restore(ckpt);
      return new Prepared(run, trainer, (int) ckpt.step(), registry);
    } catch (RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  private static void checkData(Path runDir, LoadedCheckpoint ckpt, DataFingerprint now, boolean force) {
    DataFingerprint then = DataFingerprint.fromJson(ckpt.meta().get("data_fingerprint"));
    if (then == null) {
      LOG.warn("{}: checkpoint at step {} predates data fingerprints; the data cannot be checked", runDir, ckpt.step());
      return;
    }
    List<String> diffs = then.differences(now);
    if (diffs.isEmpty()) {
      return;
    }
    String what = "the training data changed since the checkpoint at step " + ckpt.step() + ": "
        + String.join("; ", diffs);
    if (!force) {
      throw new RunDirectoryException(runDir + ": " + what + "; use --force-data-change to resume on the new data");
    }
    LOG.warn("{}: {} (--force-data-change: resuming on the new data)", runDir, what);
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
    JsonlMetricsWriter writer = RunRecord.openMetrics(run.directory());
    // The run's record must be written: the first failed metrics write (disk full, permissions) fails the run with
    // the OS reason; run_failed is still attempted (it may fit where a step line did not).
    Trainer trainer = p.trainer();
    EventBus.Subscription sub = run.events().subscribe(e -> {
      try {
        writer.accept(e);
      } catch (RuntimeException x) {
        trainer.fail(x);
      }
    });
    try {
      run.events().publish(new RunEvent.RunStarted(p.startStep(), run.directory().root().toString(),
          run.config().train().steps(), run.resolvedConfig(), RunRecord.readProvenance(run.directory())));
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

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing a metrics file or a subscription must not hide the run's own outcome
    }
  }
}
