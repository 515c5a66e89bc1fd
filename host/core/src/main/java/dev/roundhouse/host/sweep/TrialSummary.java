package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.roundhouse.host.config.StopAt;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of a sweep report, from a trial's run directory (docs/sweeps.md lists the fields). Time to target comes from
 * the run's {@code target_reached} event (training seconds; {@code targetSource} "target_reached") or, when the run
 * did not stop at the target, from the first evaluation reaching it (wall seconds since the run first started;
 * "eval"). Router health is that of the run's last {@code expert_load} window: the worst layer's CV and entropy and
 * the dead experts summed over layers. Null fields are unknown (not reached, never evaluated, no expert load yet).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrialSummary(String trial, int index, String dir, String status, JsonNode point, Long steps,
    Double finalValLoss, Double bestValLoss, Long bestStep, Long targetStep, Double timeToTargetS,
    Long tokensToTarget, String targetSource, Double tokensPerS, Double worstCvPct, Double minEntropy,
    Integer deadExperts, Integer alarms, String error) {

  /** Summarises trial {@code entry} (from sweep.json) of {@code folder} against {@code target} (may be null). */
  public static TrialSummary of(SweepFolder folder, JsonNode entry, StopAt target) {
    String id = entry.path("id").asText();
    Path dir = folder.trialDir(id);
    TrialState state = TrialState.of(dir);
    List<RunEvent> events = List.of();
    Path metrics = dir.resolve(RunDirectory.METRICS_FILE);
    if (Files.isRegularFile(metrics)) {
      try {
        events = MetricsReader.read(metrics);
      } catch (RuntimeException e) {
        events = List.of();
      }
    }
    long tokensPerStep = 0;
    if (Files.isRegularFile(dir.resolve(RunDirectory.CONFIG_FILE))) {
      JsonNode cfg = Json.read(dir.resolve(RunDirectory.CONFIG_FILE));
      tokensPerStep = cfg.path("train").path("batchSize").asLong() * cfg.path("train").path("gradAccum").asLong(1)
          * cfg.path("model").path("seqLen").asLong();
    }
    Double finalLoss = null;
    Double best = null;
    Long bestStep = null;
    Long steps = null;
    Long targetStep = null;
    Double targetTime = null;
    Long targetTokens = null;
    String source = null;
    java.time.Instant firstStart = null;
    List<Double> speeds = new ArrayList<>();
    RunEvent.ExpertLoad lastLoad = null;
    int alarms = 0;
    for (RunEvent e : events) {
      steps = steps == null ? e.step() : Math.max(steps, e.step());
      if (e instanceof RunEvent.RunStarted s && firstStart == null) {
        firstStart = s.time();
      } else if (e instanceof RunEvent.Eval v) {
        finalLoss = v.valLoss();
        if (best == null || v.valLoss() < best) {
          best = v.valLoss();
          bestStep = v.step();
        }
        if (target != null && targetStep == null && target.reached(target.value(v.valLoss(), v.valBpb()))) {
          targetStep = v.step();
          targetTokens = v.step() * tokensPerStep;
          targetTime = firstStart == null ? null : Duration.between(firstStart, v.time()).toMillis() / 1000.0;
          source = "eval";
        }
      } else if (e instanceof RunEvent.TargetReached t) {
        targetStep = t.step();
        targetTime = t.trainSeconds();
        targetTokens = t.tokens();
        source = "target_reached";
      } else if (e instanceof RunEvent.Step s && s.step() > 1) {
        speeds.add(s.tokensPerS()); // the first step warms up the JIT and the arenas
      } else if (e instanceof RunEvent.ExpertLoad l && !l.layers().isEmpty()) {
        lastLoad = l;
      } else if (e instanceof RunEvent.Alarm) {
        alarms++;
      }
    }
    Double cv = null;
    Double entropy = null;
    Integer dead = null;
    if (lastLoad != null) {
      cv = lastLoad.layers().stream().mapToDouble(LayerLoad::cvPct).max().getAsDouble();
      entropy = lastLoad.layers().stream().mapToDouble(LayerLoad::entropyNorm).min().getAsDouble();
      dead = lastLoad.layers().stream().mapToInt(LayerLoad::deadExperts).sum();
    }
    return new TrialSummary(id, entry.path("index").asInt(), entry.path("dir").asText(id), state.status().label(),
        entry.path("point"), steps, finalLoss, best, bestStep, targetStep, targetTime, targetTokens, source,
        median(speeds), cv, entropy, dead, alarms, state.error());
  }

  static Double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return null;
    }
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
