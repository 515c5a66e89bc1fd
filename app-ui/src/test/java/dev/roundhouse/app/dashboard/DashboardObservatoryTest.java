package dev.roundhouse.app.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.app.Fixtures;
import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.app.dashboard.HealthThresholds.Level;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.RunEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Router observatory data of the dashboard, without the FX toolkit: thresholds, alarms, timeline, series. */
class DashboardObservatoryTest {

  private static RunEvent.ExpertLoad load(long step, long... tokens) {
    return new RunEvent.ExpertLoad(step, List.of(LayerLoad.of(1, tokens, null, null, 0, null),
        LayerLoad.of(2, new long[] {10, 10, 10, 10}, -0.1, 0.2, 0, null)));
  }

  @Test
  void healthColoursComeFromTheRunsOwnAlarmConfig() {
    ObjectNode cfg = Fixtures.tinyTree("t", 20, "train.alarms.cvPctMax=30", "train.alarms.entropyNormMin=0.9",
        "train.logEvery=2");
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    vm.applyBatch(List.of(new RunEvent.RunStarted(0, "/runs/x", 20, cfg, null), load(2, 12, 10, 9, 9)));
    HealthThresholds t = vm.thresholdsProperty().get();
    assertEquals(30, t.cvPctMax());
    assertEquals(0.9, t.entropyNormMin());
    assertEquals(6, t.graceSteps(), "3 log intervals of 2 steps (longer than the fixture's 2 warmup steps)");
    HealthRow mild = vm.cursor().health().get(0); // cv 12.6%: below 0.8 x 30
    assertEquals(Level.OK, mild.cvLevel());
    vm.applyBatch(List.of(load(4, 20, 10, 5, 5)));
    HealthRow skewed = vm.cursor().health().get(0); // cv ~54%: above 30 -> red under this run's config, OK under the default
    assertEquals(Level.ALARM, skewed.cvLevel(), "cv " + skewed.cvPct());
    assertEquals(Level.OK, HealthThresholds.defaults(2).cv(skewed.cvPct()));
    assertTrue(vm.thresholdsProperty().get().describe().contains("cv_pct > 30.0"), t.describe());
  }

  @Test
  void alarmsAreGroupedByKindAndLayerNewestFirstAndAClickMovesTheCursor() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    List<RunEvent> ev = new ArrayList<>();
    ev.add(new RunEvent.RunStarted(0, "/runs/x", 20, null, null));
    for (int s = 1; s <= 6; s++) {
      ev.add(load(s, 10, 10, 10, 10));
      ev.add(new RunEvent.Alarm(s, 1, "load_imbalance", "cv " + s));
      if (s <= 2) {
        ev.add(new RunEvent.Alarm(s, 2, "load_imbalance", "cv"));
      }
    }
    ev.add(new RunEvent.Alarm(4, 1, "dead_experts", "1 expert"));
    vm.applyBatch(ev);
    List<AlarmGroup> g = vm.alarms();
    assertEquals(3, g.size(), g.toString());
    assertEquals("load_imbalance", g.get(0).kind());
    assertEquals(1, g.get(0).layer());
    assertEquals(6, g.get(0).count());
    assertEquals(6, g.get(0).lastStep());
    assertEquals("cv 6", g.get(0).lastMessage());
    assertEquals("dead_experts", g.get(1).kind());
    assertEquals(2, g.get(2).layer());
    assertEquals(2, g.get(2).count());
    assertTrue(vm.cursor().liveProperty().get());
    vm.jumpToStep(2);
    assertFalse(vm.cursor().liveProperty().get(), "jumping to an alarm leaves live mode");
    assertEquals(1, vm.cursor().loadIndexProperty().get());
    assertEquals(2, vm.cursor().heatmapProperty().get().step());
    assertTrue(vm.cursor().healthCaptionProperty().get().contains("step 2"), vm.cursor().healthCaptionProperty().get());
  }

  @Test
  void expertTimeHeatmapIsLoadOverMeanWithDeadExpertsAtZero() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    vm.applyBatch(List.of(load(1, 10, 10, 10, 10), load(2, 40, 0, 0, 0), load(3, 20, 0, 10, 10)));
    assertEquals(List.of(1, 2), vm.cursor().layers());
    assertEquals(1, vm.cursor().timelineLayerProperty().get());
    ExpertTimeline t = vm.cursor().timelineProperty().get();
    assertEquals(List.of(1L, 2L, 3L), t.steps());
    assertEquals(4, t.experts());
    assertEquals(1.0, t.relLoad().get(0)[2], 1e-12, "even load: every expert at the uniform share");
    assertEquals(4.0, t.relLoad().get(1)[0], 1e-12, "all tokens on one expert: E x mean");
    assertEquals(0.0, t.relLoad().get(1)[1]);
    assertEquals(3, t.deadIn(1));
    assertEquals(1, t.deadIn(2), "expert 1 stays dead; 2 and 3 recover");
    assertEquals(ExpertTimelineCanvas.colour(1.0), javafx.scene.paint.Color.web("#f7f7f7"), "1/E share is white");
    assertFalse(ExpertTimelineCanvas.colour(0).equals(ExpertTimelineCanvas.colour(1.0 / 64)),
        "dead differs from merely starved");
    vm.cursor().timelineLayerProperty().set(2);
    assertEquals(2, vm.cursor().timelineProperty().get().layer());
    vm.applyBatch(List.of(load(4, 10, 10, 10, 10)));
    assertEquals(4, vm.cursor().timelineProperty().get().windows(), "the timeline follows the run");
  }

  @Test
  void everyLoggedNumberIsASeriesWithXUnitsSmoothingAndLogY() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    Instant t0 = Instant.parse("2026-12-05T00:00:00Z");
    List<RunEvent> ev = new ArrayList<>();
    ev.add(new RunEvent.RunStarted(t0, 0, "/runs/x", 10, null, null));
    for (int s = 1; s <= 4; s++) {
      ev.add(new RunEvent.Step(t0.plusSeconds(2L * s), s, s % 2 == 0 ? 1.0 : 3.0, Map.of("aux", 0.01 * s, "z", 1e-4),
          1e-3, 0.5 * s, 500, 1000));
    }
    ev.add(new RunEvent.Eval(t0.plusSeconds(9), 4, 2.1, 3.0));
    ev.add(load(4, 10, 10, 10, 10));
    vm.applyBatch(ev);
    for (String m : List.of("loss", "val_loss", "grad_norm", "step_ms", "val_bpb", "aux aux", "aux z", "lr",
        "tokens_per_s", "layer 1 cv_pct", "layer 2 bias_max", "layer 1 dead_experts")) {
      assertFalse(vm.charts().series(m, false).isEmpty(), m + " has a series: " + vm.charts().metricNames());
    }
    assertEquals(10, vm.charts().xEnd(), "the x axis spans the configured steps");
    assertEquals(2.0, vm.charts().series("grad_norm", false).get(3)[1], 1e-12);
    vm.charts().smoothingProperty().set(0.9);
    double smoothed = vm.charts().series("loss", true).get(3)[1];
    assertTrue(smoothed > 1.5 && smoothed < 2.5, "EMA of 3,1,3,1: " + smoothed);
    assertEquals(1.0, vm.charts().series("loss", false).get(3)[1], "not smoothed when not asked");
    vm.charts().smoothingProperty().set(0);
    vm.charts().xModeProperty().set(SeriesMath.XMode.TOKENS);
    assertEquals(2000, vm.charts().series("loss", false).get(3)[0], 1e-9, "500 tokens/s x 1 s per step, 4 steps");
    vm.charts().xModeProperty().set(SeriesMath.XMode.WALL_TIME);
    assertEquals(8, vm.charts().series("loss", false).get(3)[0], 1e-9, "8 s after the start");
    vm.charts().logYProperty().set(true);
    assertEquals(Math.log10(3.0), vm.charts().series("loss", false).get(0)[1], 1e-12);
    assertTrue(vm.statsProperty().get().contains("elapsed 8s"), vm.statsProperty().get());
    assertTrue(vm.statsProperty().get().contains("ETA 12s"), "2 s per step, 6 steps left: " + vm.statsProperty().get());
  }

  @Test
  void noTimelineBeforeTheFirstWindow() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    vm.applyBatch(List.of(new RunEvent.Step(1, 1, Map.of(), 0.1, 1, 1, 1)));
    assertNull(vm.cursor().timelineProperty().get());
  }
}
