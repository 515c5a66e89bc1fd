package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.CheckpointStore;
import dev.roundhouse.host.run.LoadedCheckpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NaN injected by a real plugin jar ({@code nan-inject} precision) into the loss or a gradient at a chosen step:
 * detected before the update; "stop" fails naming the first layer / parameter, "skip" counts the step, raises a
 * non_finite alarm and leaves the weights untouched.
 */
class NumericalFaultsTest {
  @TempDir static Path tmp;
  static PluginRegistry registry;

  @BeforeAll
  static void open() throws Exception {
    registry = FaultPlugins.registry(tmp.resolve("plugins"));
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  static final String SHARED_W1_LAYER1 = "layers.1.moe.shared.0.w1";

  static String[] cfg(String policy, String precision, int steps) {
    return new String[] {"model.nLayers=3", "train.steps=" + steps, "train.evalEvery=" + steps,
        "train.checkpointEvery=1", "train.keepCheckpoints=100", "train.onNonFinite=" + policy, "precision=" + precision};
  }

  static List<RunEvent> events(Runs.Prepared p) {
    return MetricsReader.read(p.run().directory().metricsFile());
  }

  @Test
  void nanLossStopsNamingTheFirstLayerWithNonFiniteActivations() {
    String nan = "{\"type\": \"nan-inject\", \"weightParam\": \"" + SHARED_W1_LAYER1
        + "\", \"fromForward\": 3, \"toForward\": 4}"; // step 3's forward and the diagnostic re-run
    Runs.Prepared p = Runs.create(TinyRuns.tiny(cfg("stop", nan, 6)), registry, tmp.resolve("runs"), new EventBus());
    TrainingFailure f = assertThrows(TrainingFailure.class, () -> Runs.execute(p));
    assertEquals(3, f.step());
    assertTrue(f.getMessage().contains("loss is NaN") && f.getMessage().contains("output of layers.1 ")
        && !f.getMessage().contains("layers.2"), f.getMessage());
    List<RunEvent> ev = events(p);
    RunEvent.RunFailed failed = (RunEvent.RunFailed) ev.get(ev.size() - 1);
    assertTrue(failed.error().contains("output of layers.1"), failed.error());
    assertTrue(ev.stream().anyMatch(e -> e instanceof RunEvent.Alarm a && a.step() == 3
        && a.kind().equals(RunEvent.Alarm.NON_FINITE)), ev.toString());
    assertEquals(2, ev.stream().filter(e -> e instanceof RunEvent.Step).count(), "steps 1 and 2 only");
  }

  @Test
  void nanGradientStopsNamingTheParameter() {
    String nan = "{\"type\": \"nan-inject\", \"gradParam\": \"layers.2.attn_norm\", \"gradAtStep\": 2}";
    Runs.Prepared p = Runs.create(TinyRuns.tiny(cfg("stop", nan, 5)), registry, tmp.resolve("runs"), new EventBus());
    TrainingFailure f = assertThrows(TrainingFailure.class, () -> Runs.execute(p));
    assertEquals(2, f.step());
    assertTrue(f.getMessage().contains("gradient norm is NaN")
        && f.getMessage().contains("parameter layers.2.attn_norm"), f.getMessage());
    // the failing step was never applied: the newest checkpoint is step 1
    assertEquals(List.of(1L), p.run().checkpoints().steps());
  }

  @Test
  void skipCountsTheStepRaisesAnAlarmAndNeverUpdatesWithNaN() {
    String nanLoss = "{\"type\": \"nan-inject\", \"weightParam\": \"" + SHARED_W1_LAYER1
        + "\", \"fromForward\": 3, \"toForward\": 3, \"gradParam\": \"head\", \"gradAtStep\": 4}";
    // forward 3 = step 3 (NaN loss, skipped before backward); afterBackward call 4 = step 5 (NaN gradient)
    Runs.Prepared p = Runs.create(TinyRuns.tiny(cfg("skip", nanLoss, 6)), registry, tmp.resolve("runs"),
        new EventBus());
    Trainer.Outcome out = Runs.execute(p);
    assertEquals(6, out.step());
    assertEquals(2, p.trainer().skippedSteps());
    List<RunEvent> ev = events(p);
    List<Long> alarmSteps = ev.stream().filter(e -> e instanceof RunEvent.Alarm a
        && a.kind().equals(RunEvent.Alarm.NON_FINITE)).map(RunEvent::step).toList();
    assertEquals(List.of(3L, 5L), alarmSteps);
    assertTrue(ev.get(ev.size() - 1) instanceof RunEvent.RunFinished);
    for (RunEvent e : ev) {
      if (e instanceof RunEvent.Step s) {
        assertTrue(Double.isFinite(s.loss()) && Double.isFinite(s.gradNorm()), "step " + s.step());
      }
    }
    CheckpointStore store = p.run().checkpoints();
    assertSameWeights(store.load(2), store.load(3), "skipped step 3 must not change the weights");
    assertSameWeights(store.load(4), store.load(5), "skipped step 5 must not change the weights");
    LoadedCheckpoint last = store.load(6);
    for (Map.Entry<String, INDArray> t : last.tensors().entrySet()) {
      assertTrue(NonFiniteLocator.finite(t.getValue()), t.getKey());
    }
  }

  @Test
  void skippingForeverFailsTheRunAfterTheConsecutiveSkipLimit() throws Exception {
    // weights broken from step 2 on: every later step is non-finite
    String broken = "{\"type\": \"nan-inject\", \"weightParam\": \"" + SHARED_W1_LAYER1
        + "\", \"fromForward\": 2, \"toForward\": 100000}";
    String[] sets = cfg("skip", broken, 20);
    String[] more = java.util.Arrays.copyOf(sets, sets.length + 2);
    more[sets.length] = "train.maxConsecutiveSkips=4";
    more[sets.length + 1] = "train.evalEvery=3";
    Runs.Prepared p = Runs.create(TinyRuns.tiny(more), registry, tmp.resolve("runs"), new EventBus());
    TrainingFailure f = assertThrows(TrainingFailure.class, () -> Runs.execute(p));
    assertEquals(5, f.step(), "steps 2-5 skipped: the 4th in a row fails");
    assertTrue(f.getMessage().contains("4 steps in a row skipped") && f.getMessage().contains("maxConsecutiveSkips=4"),
        f.getMessage());
    List<RunEvent> ev = events(p);
    assertTrue(ev.get(ev.size() - 1) instanceof RunEvent.RunFailed, ev.get(ev.size() - 1).toString());
    String text = java.nio.file.Files.readString(p.run().directory().metricsFile());
    assertTrue(!text.contains("\"NaN\"") && !text.contains("Infinity"), "NaN written as a string: " + text);
  }

  private static void assertSameWeights(LoadedCheckpoint a, LoadedCheckpoint b, String why) {
    assertEquals(a.tensors().keySet(), b.tensors().keySet());
    assertTrue(a.tensors().keySet().stream().filter(k -> k.startsWith("param/")).count() > 10);
    for (Map.Entry<String, INDArray> t : a.tensors().entrySet()) {
      assertEquals(t.getValue(), b.tensors().get(t.getKey()), why + ": " + t.getKey());
    }
  }
}
