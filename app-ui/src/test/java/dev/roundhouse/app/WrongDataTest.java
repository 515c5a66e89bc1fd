package dev.roundhouse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.compose.PluginSection;
import dev.roundhouse.app.plugins.JarRow;
import dev.roundhouse.app.runs.RunSummary;
import dev.roundhouse.host.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Screens that showed wrong data without warning (issue 20, items 1-4), headless: stale chart lines
 * after opening an empty run, plugin choices lost on a rescan, runs written by another process not
 * followed, and a refused resume shown as a failed run.
 */
@ExtendWith(ApplicationExtension.class)
class WrongDataTest {
  @TempDir
  Path tmp;
  private AppViewModel app;
  private MainView view;
  private AppWindow window;
  private Process holder;

  @Start
  void start(Stage stage) throws Exception {
    window = AppWindow.show(stage, Fixtures.pluginsCopy(tmp), tmp.resolve("runs"));
    app = window.app;
    view = window.view;
  }

  @AfterEach
  void close() throws Exception {
    if (holder != null) {
      holder.destroy();
    }
    AppWindow.closeIfShown(window);
  }

  /** Item 1: a run with no step/eval events yet shows empty charts, not the previous run's lines. */
  @Test
  void emptyRunClearsThePreviousRunsLines(FxRobot robot) throws Exception {
    Path runs = tmp.resolve("runs");
    Path full = RunFiles.write(runs, "full", RunFiles.trained("full", 20, 20, true));
    Path empty = RunFiles.write(runs, "empty", List.of(new dev.roundhouse.host.metrics.RunEvent.RunStarted(0,
        "empty", 20, null, null)));
    robot.interact(() -> app.openRun(full));
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(drawnPoints(view.dashboard().lossChart()) > 0, "the full run draws its lines");
    robot.interact(() -> app.openRun(empty));
    WaitForAsyncUtils.waitForFxEvents();
    for (LineChart<Number, Number> c : view.dashboard().charts()) {
      assertEquals(0, drawnPoints(c), c.getId() + " still draws the previous run's lines");
    }
  }

  /** Item 2: unticking a plugin jar and rescanning keeps every choice; the loss is a problem; re-enabling restores. */
  @Test
  void pluginChoicesSurviveARescan(FxRobot robot) throws Exception {
    robot.clickOn("#tab-compose");
    Path cfg = Fixtures.tinyConfigFile(tmp, "rescan", 5, "model.moe.router.type=sigmoid-topk",
        "model.moe.router.biasUpdateRate=0.002");
    robot.interact(() -> app.compose().load(cfg));
    assertTrue(app.compose().problems().isEmpty(), app.compose().problems().toString());
    JarRow routers = app.plugins().jars().stream().filter(j -> j.name().contains("routers")).findFirst().orElseThrow();
    robot.interact(() -> app.plugins().setEnabled(routers, false));
    WaitForAsyncUtils.waitForFxEvents();
    for (PluginSection s : app.compose().pluginSections()) {
      if (!s.optional()) {
        assertFalse(s.isNone(), s.title() + " lost its choice on a rescan");
      }
    }
    assertEquals("sigmoid-topk", router().selectedProperty().get());
    assertTrue(app.compose().problems().stream().anyMatch(p -> p.startsWith("model.moe.router")),
        "the missing router is a problem that blocks the launch: " + app.compose().problems());
    assertTrue(robot.lookup("#composeLaunch").queryButton().isDisabled());

    JarRow disabled = app.plugins().jars().stream().filter(j -> j.name().contains("routers")).findFirst().orElseThrow();
    robot.interact(() -> app.plugins().setEnabled(disabled, true));
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(app.compose().problems().isEmpty(), app.compose().problems().toString());
    ComboBox<?> routerBox = robot.lookup("#field-model-moe-router-type").queryAs(ComboBox.class);
    assertEquals("sigmoid-topk", routerBox.getValue(), "the router dropdown shows the choice again");
    ComboBox<?> attention = robot.lookup("#field-model-attention-type").queryAs(ComboBox.class);
    assertEquals("mha", attention.getValue());
    assertEquals("0.002", app.compose().field("model.moe.router.biasUpdateRate").textProperty().get());
    var tree = app.compose().tree();
    assertEquals("sigmoid-topk", tree.at("/model/moe/router/type").asText());
    assertEquals("adamw", tree.at("/optimizer/type").asText());
  }

  /** Item 3: a run another live process writes is listed and followed without Refresh. */
  @Test
  void runWrittenByAnotherProcessIsFollowed(FxRobot robot) throws Exception {
    holder = new ProcessBuilder("sleep", "120").start();
    Path dir = RunFiles.write(tmp.resolve("runs"), "cli-run", RunFiles.trained("cli-run", 30, 3, false));
    Files.writeString(dir.resolve(RunDirectory.LOCK_FILE), "pid=" + holder.pid() + " since=2026-12-05T00:00:00Z\n");
    WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> summary("cli-run") != null
        && summary("cli-run").status().equals("running") && summary("cli-run").step() == 3);

    robot.interact(() -> app.openRun(dir));
    assertEquals(3, app.dashboard().charts().loss().size());
    RunFiles.append(dir, List.of(RunFiles.step(4, 4.6), RunFiles.step(5, 4.5)));
    WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> app.dashboard().charts().loss().size() == 5);
    WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> summary("cli-run").step() == 5);
    assertEquals("running", app.dashboard().statusProperty().get());

    RunFiles.append(dir, List.of(new dev.roundhouse.host.metrics.RunEvent.RunFinished(5, 1.0, null)));
    holder.destroy();
    waitFor(() -> "finished".equals(app.dashboard().statusProperty().get())
        && "finished".equals(summary("cli-run").status()), () -> "dashboard " + app.dashboard().statusProperty().get()
        + ", runs list " + summary("cli-run"));
  }

  /** Item 4: a resume refused because another writer holds the run is no failure of the run. */
  @Test
  void refusedResumeIsNotAFailedRun(FxRobot robot) throws Exception {
    Path dir = RunFiles.write(tmp.resolve("runs"), "held", RunFiles.trained("held", 30, 5, false));
    try (RunDirectory other = RunDirectory.open(dir)) {
      robot.interact(() -> {
        app.runs().refresh();
        app.runs().selectedProperty().set(summary("held"));
      });
      robot.clickOn("#tab-runs");
      robot.clickOn("#resumeRun");
      WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !app.runs().runningProperty().get());
      WaitForAsyncUtils.waitForFxEvents();
      String status = app.dashboard().statusProperty().get();
      assertFalse(status.startsWith("failed"), "refused resume shown as a failed run: " + status);
      assertTrue(app.runs().messageProperty().get().contains("in use"), app.runs().messageProperty().get());
      Label title = robot.lookup("#dashTitle").queryAs(Label.class);
      assertFalse(title.getText().contains("failed"), title.getText());
      assertTrue(app.dashboard().noticeProperty().get().contains("in use"), app.dashboard().noticeProperty().get());
      assertEquals(5, app.dashboard().charts().loss().size(), "the run's own history is still shown");
      assertNotNull(summary("held"));
      assertFalse(summary("held").status().equals("failed"));
    }
  }

  private static void waitFor(java.util.concurrent.Callable<Boolean> done, java.util.function.Supplier<String> state)
      throws Exception {
    try {
      WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, done);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out; " + state.get(), e);
    }
  }

  private PluginSection router() {
    return app.compose().pluginSections().stream().filter(s -> s.path().equals("model.moe.router")).findFirst()
        .orElseThrow();
  }

  private RunSummary summary(String name) {
    return app.runs().runs().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }

  /** Points the chart actually draws: the elements of each series' line path. */
  private static int drawnPoints(LineChart<Number, Number> chart) {
    int n = 0;
    for (XYChart.Series<Number, Number> s : chart.getData()) {
      Node node = s.getNode();
      if (node instanceof javafx.scene.shape.Path p && p.isVisible()) {
        n += p.getElements().size();
      }
    }
    return n;
  }
}
