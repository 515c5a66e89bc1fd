package dev.roundhouse.host.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.metrics.JsonlMetricsWriter;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginInfo;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.AtomicFiles;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.PluginRecord;
import dev.roundhouse.host.run.Provenance;
import dev.roundhouse.host.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record a run leaves in its {@link RunDirectory}, written and read in one place: config.json (through the
 * directory), setup.json, provenance.json, the metrics.jsonl writer and every failure record (a {@code run_failed}
 * line, whether the run failed while being built, resumed or trained). Stateless; the directory is the run's.
 */
public final class RunRecord {
  /** The run-record file with the optimizer group table and the precision policy per role. */
  public static final String SETUP_FILE = "setup.json";

  private static final Logger LOG = LoggerFactory.getLogger(RunRecord.class);

  private RunRecord() {}

  /** Appends a run_failed event at {@code step} to metrics.jsonl; IO trouble is only logged (the failure is rethrown
   * by the caller either way). */
  static void recordFailure(RunDirectory dir, long step, Throwable failure) {
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(dir.metricsFile())) {
      w.accept(RunEvent.RunFailed.of(step, failure));
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not record run_failed in {}: {}", dir.metricsFile(), e.getMessage());
    }
  }

  /** The metrics.jsonl writer of a run that starts or resumes training (appends). */
  static JsonlMetricsWriter openMetrics(RunDirectory dir) {
    try {
      return new JsonlMetricsWriter(dir.metricsFile());
    } catch (IOException e) {
      throw new UncheckedIOException(dir.metricsFile() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code setup.json}: the optimizer group table and the precision policy in force per parameter role
   * (with its reasons).
   */
  static void writeSetup(TrainingRun run) {
    Map<String, Object> setup = new LinkedHashMap<>();
    setup.put("optimizer_groups", run.optimizer().rows());
    setup.put("precision", new TreeMap<>(run.precision().describe()));
    Path file = run.directory().root().resolve(SETUP_FILE);
    try {
      AtomicFiles.writeString(file, Json.pretty(setup));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Writes provenance.json: seed, start time, every loaded plugin jar and, for a sweep trial, {@code sweep}. */
  static void writeProvenance(TrainingRun run, PluginRegistry registry, JsonNode sweep) {
    List<PluginRecord> plugins = registry.pluginInfo().stream().map(RunRecord::plugin).toList();
    Provenance prov = Provenance.builder().seed(run.config().seed()).startTime(Instant.now()).plugins(plugins)
        .sweep(sweep).build();
    try {
      run.directory().writeProvenance(prov);
    } catch (IOException e) {
      throw new UncheckedIOException(run.directory().provenanceFile() + ": " + e.getMessage(), e);
    }
  }

  /** provenance.json as a tree, or null when it cannot be read. */
  static JsonNode readProvenance(RunDirectory dir) {
    try {
      return Json.mapper().readTree(dir.provenanceFile().toFile());
    } catch (IOException e) {
      return null;
    }
  }

  /** How many checkpoint events metrics.jsonl records (0 when it is missing or unreadable). */
  static long checkpointsRecorded(RunDirectory dir) {
    if (!Files.isRegularFile(dir.metricsFile())) {
      return 0;
    }
    try (var lines = Files.lines(dir.metricsFile(), StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains("\"event\":\"checkpoint\"")).count();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private static PluginRecord plugin(PluginInfo i) {
    return new PluginRecord(i.id(), i.version(), i.jar() == null ? null : i.jar().toString(), i.sha256());
  }
}
