package dev.roundhouse.app.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.AppViewModel;
import dev.roundhouse.app.Fixtures;
import dev.roundhouse.app.UiExecutor;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Launching a real tiny run through the ViewModels (no FX toolkit): it trains, is listed, reopens. */
class RunsViewModelTest {
  @TempDir
  Path tmp;

  @Test
  void launchFinishesAndIsListedWithBestValLoss() throws Exception {
    try (AppViewModel app = new AppViewModel(Fixtures.builtPlugins(), tmp.resolve("runs"), UiExecutor.direct())) {
      app.compose().load(Fixtures.tinyConfigFile(tmp, "vm-run", 6));
      RunsViewModel runs = app.runs();
      runs.launch();
      assertEquals(AppViewModel.Screen.DASHBOARD, app.screenProperty().get());
      waitUntil(() -> !runs.runningProperty().get(), 120);
      assertTrue(runs.messageProperty().get().startsWith("Finished"), runs.messageProperty().get());
      assertEquals(1, runs.runs().size());
      RunSummary s = runs.runs().get(0);
      assertEquals("finished", s.status());
      assertEquals("6 / 6", s.steps());
      assertNotNull(s.bestValLoss());
      assertTrue(app.dashboard().cursor().heatmapProperty().get().nonZeroCells() > 0);
      assertEquals(6, app.dashboard().charts().loss().size());

      app.dashboard().openRun(Path.of("/nonexistent"));
      assertEquals(0, app.dashboard().charts().loss().size());
      runs.selectedProperty().set(s);
      runs.open();
      assertEquals(6, app.dashboard().charts().loss().size(), "reopened from metrics.jsonl");
      assertEquals("finished", app.dashboard().statusProperty().get());
    }
  }

  @Test
  void stopWritesCheckpointAndResumeFinishes() throws Exception {
    try (AppViewModel app = new AppViewModel(Fixtures.builtPlugins(), tmp.resolve("runs"), UiExecutor.direct())) {
      app.compose().load(Fixtures.tinyConfigFile(tmp, "vm-resume", 40));
      RunsViewModel runs = app.runs();
      runs.launch();
      waitUntil(() -> app.dashboard().charts().loss().size() >= 2, 120);
      runs.stop();
      waitUntil(() -> !runs.runningProperty().get(), 120);
      assertTrue(runs.messageProperty().get().startsWith("Stopped"), runs.messageProperty().get());
      RunSummary stopped = runs.runs().get(0);
      assertEquals("stopped", stopped.status());
      assertTrue(stopped.step() < 40, "stopped early: " + stopped.steps());

      runs.selectedProperty().set(stopped);
      runs.resume();
      assertTrue(app.dashboard().charts().loss().size() >= 2, "a resume first shows the recorded history");
      waitUntil(() -> !runs.runningProperty().get(), 120);
      assertTrue(runs.messageProperty().get().startsWith("Finished"), runs.messageProperty().get());
      // the listing is re-read before the running flag drops; a background listing scanned earlier is dropped
      RunSummary done = runs.runs().get(0);
      assertEquals("finished", done.status());
      assertEquals("40 / 40", done.steps());
      assertEquals(40, app.dashboard().charts().loss().get(app.dashboard().charts().loss().size() - 1).getXValue().intValue());
    }
  }

  @Test
  void invalidConfigIsRefusedNamingTheField() throws Exception {
    try (AppViewModel app = new AppViewModel(Fixtures.builtPlugins(), tmp.resolve("runs"), UiExecutor.direct())) {
      app.compose().field("train.steps").textProperty().set("-3");
      app.runs().launch();
      assertFalse(app.runs().runningProperty().get());
      assertTrue(app.runs().messageProperty().get().contains("train.steps"), app.runs().messageProperty().get());
    }
  }

  static void waitUntil(java.util.function.BooleanSupplier cond, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + seconds + " s");
      }
      Thread.sleep(50);
    }
  }
}
