package dev.roundhouse.app;

import dev.roundhouse.host.metrics.JsonlMetricsWriter;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.sweep.SweepFolder;
import dev.roundhouse.host.sweep.SweepReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Run directories written as the host writes them (config.json plus metrics.jsonl through the host's
 * {@link JsonlMetricsWriter}), without training: for screens that only read run files.
 */
public final class RunFiles {
  private RunFiles() {}

  /** A run directory {@code runsRoot/name} with a config file and the given events in metrics.jsonl. */
  public static Path write(Path runsRoot, String name, List<RunEvent> events) throws IOException {
    Path dir = Files.createDirectories(runsRoot.resolve(name));
    Files.writeString(dir.resolve(RunDirectory.CONFIG_FILE), Fixtures.tinyTree(name, 20).toString());
    append(dir, events);
    return dir;
  }

  /** Appends events to the run's metrics.jsonl. */
  public static void append(Path dir, List<RunEvent> events) throws IOException {
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(dir.resolve(RunDirectory.METRICS_FILE))) {
      events.forEach(w);
    }
  }

  /** run_started, {@code steps} steps with falling loss, an eval every 5 steps and a load window per step. */
  public static List<RunEvent> trained(String dir, int total, int steps, boolean finished) {
    List<RunEvent> ev = new ArrayList<>();
    ev.add(new RunEvent.RunStarted(0, dir, total, null, null));
    for (int s = 1; s <= steps; s++) {
      ev.add(step(s, 5.0 - 0.1 * s));
      ev.add(load(s, new long[] {40, 30, 20, 10}));
      if (s % 5 == 0) {
        ev.add(new RunEvent.Eval(s, 5.2 - 0.1 * s, 7.0));
      }
    }
    if (finished) {
      ev.add(new RunEvent.RunFinished(steps, 1.0, 4.0));
    }
    return ev;
  }

  public static RunEvent.Step step(long s, double loss) {
    return new RunEvent.Step(s, loss, Map.of("aux", 0.01), 1e-3, 0.5, 1000, 20);
  }

  /** One MoE layer (layer 1) with these tokens per expert. */
  public static RunEvent.ExpertLoad load(long s, long[] tokens) {
    return new RunEvent.ExpertLoad(s, List.of(LayerLoad.of(1, tokens, null, null, 0, null, null, null)));
  }

  /** A sweep folder "router-ablation" of two trials (one done, one interrupted) with its report.json. */
  public static Path sweepFolder(Path parent) throws Exception {
    Path dir = Files.createDirectories(parent.resolve("router-ablation"));
    Files.writeString(dir.resolve(SweepFolder.SWEEP_FILE), """
        { "format": 1, "id": "router-ablation", "created": "2026-12-05T22:10:00Z", "source": "/x/sweep.json",
          "executor": "local", "axes": ["model.moe.router", "seed"], "logAxes": [],
          "target": { "metric": "val_loss", "atMost": 4.5, "stop": false },
          "trials": [
            { "index": 0, "id": "trial-000", "dir": "trial-000",
              "point": { "model.moe.router": {"type": "softmax-topk", "auxCoef": 0.01}, "seed": 1 } },
            { "index": 1, "id": "trial-001", "dir": "trial-001",
              "point": { "model.moe.router": {"type": "sigmoid-topk"}, "seed": 1 } } ] }
        """);
    write(dir, "trial-000", RunFiles.trained("trial-000", 10, 10, true));
    write(dir, "trial-001", RunFiles.trained("trial-001", 10, 3, false));
    SweepReport.of(SweepFolder.open(dir)).write();
    return dir;
  }
}
