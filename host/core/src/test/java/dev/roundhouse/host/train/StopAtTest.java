package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train.stopAt: a run with a target ends at the first evaluation reaching it, with a checkpoint there and a
 * target_reached event (tokens = step x tokens per step); its evaluations up to there equal those of the same run
 * without a target (same seed). Bad stopAt fields are reported with their JSON paths.
 */
class StopAtTest {
  @TempDir Path runs;

  static List<RunEvent> train(RunConfig cfg, PluginRegistry reg, Path root) {
    Runs.Prepared p = Runs.create(cfg, reg, root, new EventBus());
    Runs.execute(p);
    return MetricsReader.read(p.run().directory().metricsFile());
  }

  @Test
  void runEndsAtTheFirstEvaluationReachingTheTarget() {
    try (PluginRegistry reg = TinyRuns.registry()) {
      List<RunEvent> full = train(TinyRuns.tiny("train.steps=30", "train.evalEvery=5"), reg, runs.resolve("full"));
      List<RunEvent.Eval> evals = full.stream().filter(e -> e instanceof RunEvent.Eval).map(e -> (RunEvent.Eval) e)
          .toList();
      assertEquals(6, evals.size());
      double threshold = evals.get(2).valLoss(); // reached at step 15 at the latest
      long expected = evals.stream().filter(e -> e.valLoss() <= threshold).findFirst().orElseThrow().step();

      List<RunEvent> stopped = train(TinyRuns.tiny("train.steps=30", "train.evalEvery=5",
          "train.stopAt={\"metric\":\"val_loss\",\"atMost\":" + threshold + "}"), reg, runs.resolve("stop"));
      RunEvent.TargetReached t = stopped.stream().filter(e -> e instanceof RunEvent.TargetReached)
          .map(e -> (RunEvent.TargetReached) e).findFirst().orElseThrow();
      assertEquals(expected, t.step());
      assertEquals(threshold, t.value(), 1e-9);
      assertEquals("val_loss", t.metric());
      assertEquals(expected * 4 * 16, t.tokens()); // batchSize 4 x seqLen 16
      assertTrue(t.trainSeconds() > 0);
      RunEvent last = stopped.get(stopped.size() - 1);
      assertTrue(last instanceof RunEvent.RunFinished, "ends with run_finished: " + last);
      assertEquals(expected, last.step());
      assertFalse(stopped.stream().anyMatch(e -> e instanceof RunEvent.Step && e.step() > expected));
      assertTrue(stopped.stream().anyMatch(e -> e instanceof RunEvent.Checkpoint && e.step() == expected),
          "checkpoint at the target step");
      List<Double> before = evals.stream().filter(e -> e.step() <= expected).map(RunEvent.Eval::valLoss).toList();
      List<Double> after = stopped.stream().filter(e -> e instanceof RunEvent.Eval)
          .map(e -> ((RunEvent.Eval) e).valLoss()).toList();
      assertEquals(before, after);
      assertTrue(Files.readString(runs.resolve("stop").resolve("tiny").resolve("config.json")).contains("stopAt"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void badStopAtFieldsAreReportedWithTheirPaths() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TinyRuns.tiny("train.stopAt={\"metric\":\"loss\"}"));
    assertTrue(e.problems().contains("train.stopAt.metric: must be one of val_loss, val_bpb, got \"loss\""),
        e.getMessage());
    assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("train.stopAt.atMost: is required")), e.getMessage());
    ConfigException typo = assertThrows(ConfigException.class,
        () -> TinyRuns.tiny("train.stopAt={\"atMost\":1.5,\"max\":2}"));
    assertTrue(typo.getMessage().contains("train.stopAt.max: unknown key"), typo.getMessage());
    assertNotNull(TinyRuns.tiny("train.stopAt={\"atMost\":1.5}").train().stopAt());
  }
}
