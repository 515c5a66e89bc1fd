package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routers plugin jar's routers in real tiny runs: bias state and resume, expert choice, drops, alarms. */
class RouterPluginsEndToEndTest {
  @TempDir Path runs;

  static List<RunEvent> events(Path dir) throws Exception {
    return MetricsReader.read(dir.resolve("metrics.jsonl"));
  }

  static List<LayerLoad> loads(List<RunEvent> events) {
    return events.stream().filter(e -> e instanceof RunEvent.ExpertLoad)
        .map(e -> ((RunEvent.ExpertLoad) e).layers().get(0)).toList();
  }

  static List<Double> losses(List<RunEvent> events) {
    return events.stream().filter(e -> e instanceof RunEvent.Step).map(e -> ((RunEvent.Step) e).loss()).toList();
  }

  static final String[] SIGMOID = {"train.steps=12", "train.checkpointEvery=6", "train.evalEvery=6",
      "model.moe.router={\"type\":\"sigmoid-topk\",\"biasUpdateRate\":0.01,\"auxLossCoef\":0.001,"
          + "\"auxLossScope\":\"sequence\"}"};

  @Test
  void sigmoidRouterReportsItsBiasAndResumesExactlyWithIt() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Runs.Prepared full = Runs.create(TinyRuns.tiny(SIGMOID), reg, runs.resolve("a"), new EventBus());
      Runs.execute(full);
      List<RunEvent> a = events(full.run().directory().root());
      LayerLoad last = loads(a).get(loads(a).size() - 1);
      assertNotNull(last.biasMin());
      assertTrue(last.biasMax() - last.biasMin() > 0.005, "bias moved: " + last);
      assertTrue(last.routerLosses().containsKey("seq_aux"), last.toString());

      Runs.Prepared p = Runs.create(TinyRuns.tiny(SIGMOID), reg, runs.resolve("b"), new EventBus());
      p.run().events().subscribe(e -> {
        if (e instanceof RunEvent.Step s && s.step() == 6) {
          p.trainer().requestStop();
        }
      });
      assertEquals(6, Runs.execute(p).step());
      Path dir = p.run().directory().root();
      Runs.execute(Runs.resume(dir, reg, new EventBus(), false));
      List<Double> resumed = losses(events(dir));
      List<Double> expected = losses(a);
      for (int i = 6; i < 12; i++) {
        assertEquals(expected.get(i), resumed.get(i), 1e-6, "step " + (i + 1) + " after resume");
      }
    }
  }

  @Test
  void expertChoiceAndGateDroppingReportTheirCountsAndAlarmsFire() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Runs.Prepared ec = Runs.create(TinyRuns.tiny("train.steps=4", "train.evalEvery=4", "train.checkpointEvery=4",
          "model.moe.router={\"type\":\"expert-choice\"}"), reg, runs.resolve("ec"), new EventBus());
      Runs.execute(ec);
      LayerLoad l = loads(events(ec.run().directory().root())).get(0);
      // 64 tokens x top-2 / 4 experts: C = 32 per expert, exactly
      assertEquals("[32, 32, 32, 32]", Arrays.toString(l.tokensPerExpert()));
      assertTrue(l.routerStats().containsKey("tokens_unrouted"), l.toString());

      Runs.Prepared drop = Runs.create(TinyRuns.tiny("train.steps=4", "train.evalEvery=4", "train.checkpointEvery=4",
          "model.moe.capacityFactor=1.0", "model.moe.dropPolicy=gate", "train.alarms.cvPctMax=0.001",
          "train.alarms.deadExpertSteps=1", "train.alarms.entropyNormMin=0.9999", "train.alarms.graceSteps=0"),
          reg, runs.resolve("drop"), new EventBus());
      Runs.execute(drop);
      List<RunEvent> ev = events(drop.run().directory().root());
      for (LayerLoad load : loads(ev)) {
        long kept = Arrays.stream(load.tokensPerExpert()).sum();
        assertEquals(128, kept + load.droppedTokens(), load.toString());
        assertTrue(Arrays.stream(load.tokensPerExpert()).allMatch(n -> n <= 32), load.toString());
      }
      assertTrue(loads(ev).stream().anyMatch(x -> x.droppedTokens() > 0), "skewed early routing drops at cf 1.0");
      List<String> kinds = ev.stream().filter(e -> e instanceof RunEvent.Alarm).map(e -> ((RunEvent.Alarm) e).kind())
          .distinct().toList();
      assertTrue(kinds.contains(RouterAlarms.LOAD_IMBALANCE), kinds.toString());
    }
  }
}
