package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The low-precision policies train the tiny MoE through the real jars; fp16 overflow skips steps. */
class PrecisionTrainingTest {
  @TempDir Path runs;

  @Test
  void lowPrecisionPoliciesTrainAndRecordThemselves() throws Exception {
    String[][] cases = {
        {"precision={\"type\": \"bf16-mixed\"}", "attention", "bf16"},
        {"precision={\"type\": \"fp8\", \"scaling\": \"block\", \"blockSize\": 16}", "routed_expert", "fp8"},
        {"precision={\"type\": \"nvfp4\"}", "routed_expert", "nvfp4"}};
    try (PluginRegistry reg = TinyRuns.registry()) {
      for (String[] c : cases) {
        Path dir = TrainerEndToEndTest.train(reg, runs.resolve(c[2]), c[0], "train.steps=12");
        List<Double> losses = TrainerEndToEndTest.stepLosses(dir);
        assertEquals(12, losses.size());
        assertTrue(losses.stream().allMatch(Double::isFinite), c[2] + ": " + losses);
        assertTrue(losses.get(11) < losses.get(0) - 0.3, c[2] + " loss should fall: " + losses);
        JsonNode precision = Json.read(dir.resolve(RunFactory.SETUP_FILE)).get("precision");
        assertTrue(precision.get(c[1]).asText().startsWith(c[2]), c[2] + ": " + precision);
        assertTrue(precision.get("router").asText().startsWith("fp32"), precision.toString());
      }
    }
  }

  @Test
  void fp16OverflowSkipsStepsUntilTheScaleFits() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Runs.Prepared p = Runs.create(TinyRuns.tiny("train.steps=20",
          "precision={\"type\": \"fp16-dynamic-scale\", \"initScale\": 16777216, \"growthInterval\": 1000}"), reg,
          runs, new EventBus());
      Runs.execute(p);
      int skipped = p.trainer().skippedSteps();
      assertTrue(skipped > 0 && skipped < 20, "skipped " + skipped);
      double scale = p.run().precision().lossScale();
      assertEquals(16777216 * Math.pow(0.5, skipped), scale, 1e-3 * scale, "one halving per skipped step");
      List<Double> losses = TrainerEndToEndTest.stepLosses(p.run().directory().root());
      assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
      assertTrue(losses.get(19) < losses.get(0), "the applied steps still train: " + losses);
    }
  }
}
