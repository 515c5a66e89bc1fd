package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny MoE trained with muon on matrices and adamw elsewhere: loss falls, record, exact resume. */
class OptimizerGroupsTrainingTest {
  static final String GROUPS = "optimizerGroups=["
      + "{\"name\": \"matrices\", \"select\": {\"roles\": [\"attention\", \"dense_ffn\", \"routed_expert\","
      + " \"shared_expert\"], \"rank\": 2}, \"optimizer\": {\"type\": \"muon\", \"lr\": 0.01, \"weightDecay\": 0.01}},"
      + "{\"name\": \"rest\", \"select\": {\"rest\": true}}]";

  @TempDir Path runs;

  @Test
  void muonPlusAdamwTrainsRecordsItsGroupsAndResumesExactly() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Path dir = TrainerEndToEndTest.train(reg, runs.resolve("a"), GROUPS);
      List<Double> losses = TrainerEndToEndTest.stepLosses(dir);
      double first = losses.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = losses.subList(27, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(first > 5.0 && last < first - 1.0, "loss should fall: " + first + " -> " + last);

      JsonNode setup = Json.read(dir.resolve(RunFactory.SETUP_FILE));
      JsonNode groups = setup.get("optimizer_groups");
      assertEquals("muon", groups.get(0).get("optimizer").asText());
      assertEquals("adamw", groups.get(1).get("optimizer").asText());
      // matrices: 2 layers x 4 attention + 3 dense + 4 experts x 3 + 1 shared x 3 = 26 tensors
      assertEquals(26, groups.get(0).get("tensors").asInt());
      assertTrue(setup.get("precision").has("router"));
      JsonNode resolved = Json.read(dir.resolve("config.json"));
      assertEquals(0.01, resolved.at("/optimizerGroups/0/optimizer/lr").asDouble());
      assertEquals(0.95, resolved.at("/optimizerGroups/0/optimizer/momentum").asDouble()); // defaults resolved

      Runs.Prepared p = Runs.create(TinyRuns.tiny(GROUPS), reg, runs.resolve("b"), new EventBus());
      p.run().events().subscribe(e -> {
        if (e instanceof RunEvent.Step s && s.step() == 10) {
          p.trainer().requestStop();
        }
      });
      Runs.execute(p);
      Runs.Prepared r = Runs.resume(p.run().directory().root(), reg, new EventBus(), false);
      Runs.execute(r);
      List<Double> resumed = TrainerEndToEndTest.stepLosses(p.run().directory().root());
      assertEquals(30, resumed.size());
      for (int i = 10; i < 30; i++) {
        assertEquals(losses.get(i), resumed.get(i), 1e-6, "step " + (i + 1));
      }
    }
  }
}
