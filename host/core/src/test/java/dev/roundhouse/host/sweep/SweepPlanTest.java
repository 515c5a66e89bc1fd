package dev.roundhouse.host.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.run.Json;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Sweep planning without training: grid x zip x random draws x seeds, the budget cut, deterministic draws within
 * their ranges, trial configs, and every malformed axis reported with its JSON path in the sweep file.
 */
class SweepPlanTest {
  static SweepSpec spec(String json) {
    return SweepSpec.parse((ObjectNode) Json.parse(json, "test"), null, "test.json");
  }

  static final String TINY_SET = "\"set\": {\"train.steps\": 5}";

  @Test
  void gridZipRandomAndSeedsMultiply() {
    SweepSpec s = spec("{\"name\": \"s\", " + TINY_SET + ", \"axes\": ["
        + "{\"path\": \"model.moe.topK\", \"values\": [1, 2]},"
        + "{\"zip\": [{\"path\": \"optimizer.lr\", \"values\": [0.001, 0.003, 0.01]},"
        + "           {\"path\": \"train.warmupSteps\", \"values\": [0, 1, 2]}]},"
        + "{\"path\": \"optimizer.weightDecay\", \"logUniform\": [0.001, 0.1]}],"
        + "\"samples\": 2, \"seeds\": [7, 8]}");
    SweepPlan plan = SweepPlan.of(s);
    assertEquals(2 * 3 * 2 * 2, plan.trials().size());
    Trial t = plan.trials().get(0);
    assertEquals("trial-000", t.id());
    assertEquals(List.of("model.moe.topK", "optimizer.lr", "train.warmupSteps", "optimizer.weightDecay", "seed"),
        List.copyOf(t.point().keySet()));
    for (Trial x : plan.trials()) {
      double lr = x.point().get("optimizer.lr").asDouble();
      int warm = x.point().get("train.warmupSteps").asInt();
      assertEquals(List.of(0.001, 0.003, 0.01).indexOf(lr), warm, "zipped values step together");
      double wd = x.point().get("optimizer.weightDecay").asDouble();
      assertTrue(wd >= 0.001 && wd <= 0.1, "log-uniform draw in range: " + wd);
      JsonNode cfg = x.config();
      assertEquals(x.id(), cfg.path("name").asText());
      assertEquals(5, cfg.path("train").path("steps").asInt());
      assertEquals(x.point().get("seed").asLong(), cfg.path("seed").asLong());
      assertEquals(wd, cfg.path("optimizer").path("weightDecay").asDouble());
    }
    Set<Double> draws = plan.trials().stream().map(x -> x.point().get("optimizer.weightDecay").asDouble())
        .collect(Collectors.toSet());
    assertTrue(draws.size() >= 6, "distinct draws per grid point: " + draws);
    List<Double> again = SweepPlan.of(s).trials().stream()
        .map(x -> x.point().get("optimizer.weightDecay").asDouble()).toList();
    assertEquals(plan.trials().stream().map(x -> x.point().get("optimizer.weightDecay").asDouble()).toList(), again,
        "the same file plans the same draws");
    assertTrue(SweepPlan.of(s).problems(null).isEmpty(), SweepPlan.of(s).problems(null).toString());
  }

  @Test
  void budgetCutsAndTargetSetsStopAt() {
    SweepPlan plan = SweepPlan.of(spec("{\"name\": \"b\", \"budget\": 3, \"axes\": [{\"path\": \"train.steps\", "
        + "\"values\": [1, 2, 3, 4, 5]}], \"target\": {\"metric\": \"val_bpb\", \"atMost\": 2.5}}"));
    assertEquals(3, plan.trials().size());
    assertEquals(5, plan.unbudgetedCount());
    JsonNode stop = plan.trials().get(2).config().path("train").path("stopAt");
    assertEquals("val_bpb", stop.path("metric").asText());
    assertEquals(2.5, stop.path("atMost").asDouble());
    SweepPlan noStop = SweepPlan.of(spec("{\"name\": \"b\", \"target\": {\"atMost\": 2.5, \"stop\": false}}"));
    assertTrue(noStop.trials().get(0).config().path("train").path("stopAt").isMissingNode());
  }

  @Test
  void malformedAxesAreReportedWithTheirJsonPaths() {
    ConfigException e = assertThrows(ConfigException.class, () -> spec("{\"name\": \"bad name!\", \"axes\": ["
        + "{\"path\": \"optimizer.lr\"},"
        + "{\"path\": \"optimizer.lr\", \"logUniform\": [0, 1]},"
        + "{\"zip\": [{\"path\": \"a.b\", \"values\": [1, 2]}, {\"path\": \"c\", \"values\": [1]}]},"
        + "{\"path\": \"x y\", \"values\": [1]},"
        + "{\"path\": \"train.steps\", \"grid\": [1]}],"
        + "\"seeds\": [1, \"two\"], \"colour\": 1, \"slurm\": {\"cpusPerTask\": 0, \"qos\": \"x\"}}"));
    List<String> p = e.problems();
    assertTrue(p.stream().anyMatch(x -> x.startsWith("name: ")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("axes[0]: needs exactly one of values")), p.toString());
    assertTrue(p.contains("axes[1].logUniform: lo must be > 0, got 0.0"), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("axes[2].zip[1].values: has 1 values")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("axes[3].path: must be a dotted config field path")),
        p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("axes[4].grid: unknown axis kind")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("seeds[1]: must be an integer")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("colour: unknown key")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("slurm.cpusPerTask: must be an integer >= 1")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("slurm.qos: unknown key")), p.toString());
  }

  @Test
  void axesNamingUnknownFieldsOrWrongTypesAreReportedBeforeAnythingRuns() {
    SweepPlan plan = SweepPlan.of(spec("{\"name\": \"v\", \"axes\": ["
        + "{\"path\": \"model.moe.rooter\", \"values\": [{\"type\": \"softmax-topk\"}]},"
        + "{\"path\": \"train.steps\", \"values\": [10, \"many\"]},"
        + "{\"path\": \"train.batchSize\", \"intUniform\": [-3, -1]}]}"));
    List<String> p = plan.problems(null);
    assertTrue(p.stream().anyMatch(x -> x.startsWith("axes[0].values[0] (model.moe.rooter={\"type\":\"softmax-topk\"}):"
        + " model.moe.rooter: unknown key")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("axes[1].values[1] (train.steps=\"many\"): train.steps:")),
        p.toString());
    // grid values first; once they are fine, the random draws are checked trial by trial
    SweepPlan drawn = SweepPlan.of(spec("{\"name\": \"v\", \"axes\": ["
        + "{\"path\": \"train.batchSize\", \"intUniform\": [-3, -1]}]}"));
    List<String> q = drawn.problems(null);
    assertTrue(q.stream().anyMatch(x -> x.startsWith("trial-000 (train.batchSize=-") && x.contains("train.batchSize:"
        + " must be > 0")), q.toString());
  }
}
