package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.train.Runs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Starting one trial of a sweep, idempotently, the way every executor does it (a local child process, a Slurm array
 * task, a requeued task): a finished trial is left alone, a trial with a run directory is resumed from its newest
 * checkpoint (or from step 0 if it has none yet), otherwise its run directory is created from
 * {@code trials/<id>.json} with the sweep recorded in provenance.json.
 */
public final class SweepTrials {
  private SweepTrials() {}

  /** The run to train for this trial, or null when it has already finished. */
  public static Runs.Prepared prepare(SweepFolder folder, JsonNode trial, PluginRegistry registry, EventBus events) {
    String id = trial.path("id").asText();
    Path dir = folder.trialDir(id);
    if (folder.state(id).status() == TrialState.Status.DONE) {
      return null;
    }
    if (Files.isRegularFile(dir.resolve(RunDirectory.CONFIG_FILE))) {
      return Runs.resume(dir, registry, events, false);
    }
    if (Files.isDirectory(dir) && TrialState.locked(dir)) {
      throw new IllegalStateException(dir + ": the trial is running in another process");
    }
    if (Files.isDirectory(dir)) {
      deleteAborted(dir); // created, then killed before its config was written: nothing in it to keep
    }
    ObjectNode tree = (ObjectNode) Json.read(folder.trialConfigFile(id));
    RunConfig cfg = ConfigLoader.bind(tree, folder.trialConfigFile(id).toString());
    ObjectNode sweep = Json.mapper().createObjectNode();
    sweep.put("id", folder.id());
    sweep.put("trial", id);
    sweep.put("index", trial.path("index").asInt());
    sweep.set("point", trial.path("point"));
    sweep.put("folder", folder.root().toString());
    return Runs.create(cfg, registry, folder.root(), events, sweep);
  }

  private static void deleteAborted(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot clear an aborted trial directory: " + e.getMessage(), e);
    }
  }
}
