package dev.roundhouse.app.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.app.dashboard.HealthThresholds.Level;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.RouterHealth;
import dev.roundhouse.host.metrics.RunEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dashboard ViewModel fed with real event records, without the FX toolkit. */
class DashboardViewModelTest {

  private static RunEvent.ExpertLoad load(long step, long[] layer1, Map<String, long[]> domains) {
    return new RunEvent.ExpertLoad(step, List.of(LayerLoad.of(1, layer1, -0.5, 0.25, 0, domains)));
  }

  @Test
  void heatmapSharesHealthLevelsAndSlider() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    vm.applyBatch(List.of(
        new RunEvent.RunStarted(0, "/runs/x", 20, null, null),
        new RunEvent.Step(1, 5.5, Map.of(), 0.001, 1.0, 1000, 10),
        load(1, new long[] {10, 10, 10, 10}, null),
        new RunEvent.Step(2, 5.0, Map.of(), 0.002, 1.0, 1100, 10),
        load(2, new long[] {30, 10, 0, 0}, null),
        new RunEvent.Eval(2, 4.9, 7.0)));
    assertEquals(2, vm.charts().loss().size());
    assertEquals(5.0, vm.charts().loss().get(1).getYValue().doubleValue());
    assertEquals(1, vm.charts().valLoss().size());
    assertEquals(2, vm.cursor().loadCountProperty().get());
    assertEquals(1, vm.cursor().loadIndexProperty().get(), "live mode shows the newest window");
    Heatmap h = vm.cursor().heatmapProperty().get();
    assertEquals(2, h.step());
    assertEquals(0.75, h.share()[0][0], 1e-12);
    assertEquals(0.0, h.share()[0][3]);
    assertEquals(2, h.nonZeroCells());
    HealthRow row = vm.cursor().health().get(0);
    assertEquals(2, row.deadExperts());
    assertEquals(Level.WARN, row.deadLevel(), "experts without tokens in one window: amber (the alarm needs 50 steps)");
    assertEquals(Level.ALARM, row.maxLoadLevel(), "max_load_frac 0.75 >= 0.95 / top-2 (the default thresholds)");
    assertEquals("-0.500 .. 0.250", row.biasRange());
    assertTrue(vm.statsProperty().get().contains("step 2 / 20"), vm.statsProperty().get());

    vm.cursor().loadIndexProperty().set(0);
    assertFalse(vm.cursor().liveProperty().get(), "scrubbing back leaves live mode");
    assertEquals(1, vm.cursor().heatmapProperty().get().step());
    assertEquals(Level.OK, vm.cursor().health().get(0).worst());
    vm.applyBatch(List.of(load(3, new long[] {1, 1, 1, 1}, null)));
    assertEquals(0, vm.cursor().loadIndexProperty().get(), "not live: stays on the chosen window");
    vm.cursor().liveProperty().set(true);
    assertEquals(2, vm.cursor().loadIndexProperty().get());
  }

  @Test
  void perDomainLoad() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    vm.applyBatch(List.of(load(1, new long[] {4, 4}, Map.of("code", new long[] {4, 0}, "prose", new long[] {0, 4}))));
    assertEquals(List.of(ExpertLoadCursor.ALL_DOMAINS, "code", "prose"), vm.cursor().domains());
    assertEquals(0.5, vm.cursor().heatmapProperty().get().share()[0][0]);
    vm.cursor().domainProperty().set("code");
    assertEquals(1.0, vm.cursor().heatmapProperty().get().share()[0][0]);
    assertEquals("code", vm.cursor().heatmapProperty().get().domain());
  }

  /** Health over time follows the tokens choice: the code tokens' cv, recomputed per window, and says so. */
  @Test
  void healthOverTimeFollowsTheDomain() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    vm.applyBatch(List.of(load(1, new long[] {4, 4}, Map.of("code", new long[] {4, 0}, "prose", new long[] {0, 4})),
        load(2, new long[] {6, 2}, Map.of("code", new long[] {3, 3}, "prose", new long[] {3, 0}))));
    assertEquals(List.of(1.0, 2.0), vm.charts().healthSeries(1, RunHistory.CV).stream().map(p -> p[0]).toList());
    assertEquals(vm.charts().series("layer 1 cv_pct", true).get(1)[1], vm.charts().healthSeries(1, RunHistory.CV)
        .get(1)[1], 1e-12, "all tokens: the logged series");
    assertEquals("layer 1, all tokens", vm.charts().healthLabel(1));
    vm.cursor().domainProperty().set("code");
    assertEquals("layer 1, domain code", vm.charts().healthLabel(1));
    List<double[]> cv = vm.charts().healthSeries(1, RunHistory.CV);
    assertEquals(RouterHealth.compute(new long[] {4, 0}).cvPct(), cv.get(0)[1], 1e-12);
    assertEquals(0.0, cv.get(1)[1], 1e-12, "code tokens evenly split in window 2");
    assertEquals(1.0, vm.charts().healthSeries(1, RunHistory.DEAD).get(0)[1]);
    vm.cursor().domainProperty().set(ExpertLoadCursor.ALL_DOMAINS);
    assertEquals("layer 1, all tokens", vm.charts().healthLabel(1));
  }

  /** Zoom: whole steps, ignored below two steps, around a point, back to 0 .. total; a new x unit resets it. */
  @Test
  void zoomKeepsWholeStepsAndResets() {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    List<RunEvent> ev = new java.util.ArrayList<>(List.of(new RunEvent.RunStarted(0, "/runs/x", 100, null, null)));
    for (int s = 1; s <= 30; s++) {
      ev.add(new RunEvent.Step(s, 5.0 - 0.01 * s, Map.of(), 0.001, 1.0, 1000, 10));
    }
    vm.applyBatch(ev);
    DashboardCharts c = vm.charts();
    assertArrayEquals(new double[] {0, 100}, c.xRange(), "not zoomed: 0 .. the configured steps");
    c.zoomTo(22.6, 10.4);
    assertArrayEquals(new double[] {10, 23}, c.xRange(), "either order, widened to whole steps");
    c.zoomTo(5.2, 5.9);
    assertArrayEquals(new double[] {10, 23}, c.xRange(), "a click is no zoom");
    c.zoomAround(20, 0.5);
    assertArrayEquals(new double[] {15, 22}, c.xRange(), "halved around step 20, whole steps");
    c.zoomAround(20, 100);
    assertNull(c.zoomProperty().get(), "zooming out past the run shows the whole run");
    c.zoomTo(-5, 40);
    assertArrayEquals(new double[] {0, 40}, c.xRange());
    c.xModeProperty().set(SeriesMath.XMode.TOKENS);
    assertNull(c.zoomProperty().get(), "a range in steps means nothing in tokens");
    c.resetZoom();
    vm.applyBatch(List.of());
    assertEquals(DashboardViewModel.NO_RUN, new DashboardViewModel(UiExecutor.direct()).titleProperty().get());
  }

  @Test
  void throttleCoalescesAFastStreamInOrder() throws Exception {
    DashboardViewModel vm = new DashboardViewModel(UiExecutor.direct());
    EventBus bus = new EventBus();
    vm.attach(bus, "fast");
    Thread trainer = new Thread(() -> {
      for (int i = 1; i <= 2000; i++) {
        bus.publish(new RunEvent.Step(i, 1.0 / i, Map.of(), 0.001, 1.0, 1000, 0.1));
      }
    });
    trainer.start();
    trainer.join();
    vm.runEnded(false, null);
    int n = vm.charts().loss().size();
    assertTrue(n >= 1000 && n <= DashboardCharts.MAX_POINTS, "thinned but complete-ish: " + n);
    assertEquals(2000, vm.charts().loss().get(n - 1).getXValue().intValue(), "the newest point is kept");
    for (int i = 1; i < n; i++) {
      assertTrue(vm.charts().loss().get(i).getXValue().intValue() > vm.charts().loss().get(i - 1).getXValue().intValue());
    }
  }

  @Test
  void throttleDeliversAtMostOneBatchPerInterval() throws Exception {
    int[] batches = {0};
    int[] events = {0};
    EventThrottle t = new EventThrottle(UiExecutor.direct(), 100, b -> {
      batches[0]++;
      events[0] += b.size();
    });
    long t0 = System.nanoTime();
    for (int i = 0; i < 300; i++) {
      t.accept(new RunEvent.Step(i, 1, Map.of(), 0.1, 1, 1, 1));
      Thread.sleep(1);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    Thread.sleep(250);
    t.close();
    assertEquals(300, events[0]);
    assertTrue(batches[0] <= ms / 100 + 2, batches[0] + " batches in " + ms + " ms");
  }
}
