package dev.roundhouse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.dashboard.DashboardViewModel;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.RouterHealth;
import dev.roundhouse.host.metrics.RunEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.scene.input.MouseButton;
import javafx.scene.input.ScrollEvent;
import javafx.scene.text.Text;
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
 * The dashboard in a real window, headless: chart zoom (drag a range, wheel, reset; the x axis otherwise
 * spans 0 .. the run's steps with whole-step ticks), router health over time following the tokens choice,
 * and the layout: the window title with and without a run, tooltips on status text, no cut-off columns.
 */
@ExtendWith(ApplicationExtension.class)
class DashboardScreenTest {
  @TempDir
  Path tmp;
  private AppWindow window;

  @Start
  void start(Stage stage) {
    window = AppWindow.show(stage, Fixtures.builtPlugins(), tmp.resolve("runs"));
  }

  @AfterEach
  void close() throws Exception {
    AppWindow.closeIfShown(window);
  }

  /** 40 configured steps, 20 logged; one MoE layer whose "code" tokens all go to expert 0. */
  private Path run() throws Exception {
    List<RunEvent> ev = new ArrayList<>(RunFiles.trained("zoomed", 40, 0, false));
    for (int s = 1; s <= 20; s++) {
      ev.add(RunFiles.step(s, 5.0 - 0.1 * s));
      ev.add(new RunEvent.ExpertLoad(s, List.of(LayerLoad.of(1, new long[] {40, 30, 20, 10}, null, null, 0,
          Map.of("code", new long[] {30, 0, 0, 0}, "prose", new long[] {10, 30, 20, 10})))));
      if (s % 5 == 0) {
        ev.add(new RunEvent.Eval(s, 5.2 - 0.1 * s, 7.0));
      }
    }
    return RunFiles.write(tmp.resolve("runs"), "zoomed", ev);
  }

  private NumberAxis xAxis(FxRobot robot) {
    LineChart<?, ?> chart = robot.lookup("#lossChart").queryAs(LineChart.class);
    return (NumberAxis) chart.getXAxis();
  }

  private static Point2D screenAt(NumberAxis x, double value) {
    double local = x.getDisplayPosition(value);
    return x.localToScreen(local, -60);
  }

  @Test
  void noRunOpenHasASensibleTitle(FxRobot robot) {
    assertEquals("Roundhouse", window.stage.getTitle());
    robot.clickOn("#tab-dashboard");
    Label title = robot.lookup("#dashTitle").queryAs(Label.class);
    assertEquals(DashboardViewModel.NO_RUN, title.getText());
  }

  @Test
  void dragWheelAndResetZoomTheCharts(FxRobot robot) throws Exception {
    Path dir = run();
    robot.interact(() -> window.app.openRun(dir));
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(window.stage.getTitle().startsWith("Roundhouse - zoomed ["), window.stage.getTitle());
    NumberAxis x = xAxis(robot);
    assertFalse(x.isAutoRanging());
    assertEquals(0, x.getLowerBound());
    assertEquals(40, x.getUpperBound(), "the x axis spans the configured steps, not the logged ones");
    assertWholeStepTicks(x);

    robot.moveTo(screenAt(x, 6.2)).press(MouseButton.PRIMARY).moveTo(screenAt(x, 11)).moveTo(screenAt(x, 16.8))
        .release(MouseButton.PRIMARY);
    WaitForAsyncUtils.waitForFxEvents();
    robot.sleep(DashboardView_REDRAW);
    assertEquals(6, x.getLowerBound(), 1e-9, "dragged from step ~6");
    assertEquals(17, x.getUpperBound(), 1e-9, "to step ~17, whole steps");
    assertWholeStepTicks(x);
    LineChart<?, ?> chart = robot.lookup("#lossChart").queryAs(LineChart.class);
    for (XYChart.Series<?, ?> s : chart.getData()) {
      for (XYChart.Data<?, ?> d : s.getData()) {
        double xv = ((Number) d.getXValue()).doubleValue();
        assertTrue(s.getName().startsWith("alarm") || (xv >= 6 && xv <= 17), s.getName() + " point at " + xv);
      }
    }
    LineChart<?, ?> lr = robot.lookup("#lrChart").queryAs(LineChart.class);
    assertEquals(6, ((NumberAxis) lr.getXAxis()).getLowerBound(), 1e-9, "every chart shows the same range");
    Button reset = robot.lookup("#resetZoom").queryButton();
    assertFalse(reset.isDisabled());

    robot.clickOn(reset);
    robot.sleep(DashboardView_REDRAW);
    assertEquals(0, x.getLowerBound());
    assertEquals(40, x.getUpperBound());
    assertTrue(reset.isDisabled());

    // the wheel (a scroll event as the platform delivers it: its direction per notch differs between platforms)
    Point2D at = x.localToScene(x.getDisplayPosition(20), -60);
    robot.interact(() -> chart.fireEvent(new ScrollEvent(ScrollEvent.SCROLL, at.getX(), at.getY(), at.getX(),
        at.getY(), false, false, false, false, false, false, 0, 40, 0, 40, ScrollEvent.HorizontalTextScrollUnits.NONE,
        0, ScrollEvent.VerticalTextScrollUnits.NONE, 0, 0, null)));
    WaitForAsyncUtils.waitForFxEvents();
    robot.sleep(DashboardView_REDRAW);
    double span = x.getUpperBound() - x.getLowerBound();
    assertTrue(span < 40 && span >= 2, "the wheel zooms in: " + x.getLowerBound() + " .. " + x.getUpperBound());
    assertTrue(x.getLowerBound() <= 20 && x.getUpperBound() >= 20, "around the pointer");
    assertWholeStepTicks(x);
    robot.doubleClickOn(screenAt(x, 20), MouseButton.PRIMARY);
    robot.sleep(DashboardView_REDRAW);
    assertEquals(40, x.getUpperBound(), "a double click shows the whole run again");
  }

  private static final long DashboardView_REDRAW = dev.roundhouse.app.dashboard.DashboardView.REDRAW_MS + 200;

  private static void assertWholeStepTicks(NumberAxis x) {
    assertTrue(x.getTickUnit() >= 1 && x.getTickUnit() == Math.rint(x.getTickUnit()), "tick unit " + x.getTickUnit());
    assertEquals(Math.rint(x.getLowerBound()), x.getLowerBound(), "ticks start on a whole step");
  }

  @Test
  void healthOverTimeFollowsTheTokensChoiceAndSaysWhichItShows(FxRobot robot) throws Exception {
    Path dir = run();
    robot.interact(() -> window.app.openRun(dir));
    robot.clickOn("#charts-router-health");
    WaitForAsyncUtils.waitForFxEvents();
    Label caption = robot.lookup("#healthOverTimeCaption").queryAs(Label.class);
    assertTrue(caption.getText().contains("layer 1, all tokens"), caption.getText());
    double all = RouterHealth.compute(new long[] {40, 30, 20, 10}).cvPct();
    assertEquals(all, lastY(robot, "#cvChart"), 1e-9);

    robot.interact(() -> window.app.dashboard().cursor().domainProperty().set("code"));
    robot.sleep(DashboardView_REDRAW);
    assertTrue(caption.getText().contains("layer 1, domain code"), caption.getText());
    double code = RouterHealth.compute(new long[] {30, 0, 0, 0}).cvPct();
    assertEquals(code, lastY(robot, "#cvChart"), 1e-9, "the cv chart shows the code tokens' cv");
    LineChart<?, ?> cv = robot.lookup("#cvChart").queryAs(LineChart.class);
    assertTrue(cv.getData().get(0).getName().contains("domain code"), cv.getData().get(0).getName());
    assertEquals(3.0, lastY(robot, "#deadChart"), "three experts get no code tokens");
    assertTrue(robot.lookup("#healthCaption").queryAs(Label.class).getText().contains("domain code"));
  }

  private static double lastY(FxRobot robot, String chartId) {
    LineChart<?, ?> c = robot.lookup(chartId).queryAs(LineChart.class);
    XYChart.Series<?, ?> s = c.getData().get(0);
    return ((Number) s.getData().get(s.getData().size() - 1).getYValue()).doubleValue();
  }

  @Test
  void statusTextHasTooltipsAndNoColumnIsCutOff(FxRobot robot) throws Exception {
    Path dir = run();
    robot.interact(() -> window.app.openRun(dir));
    WaitForAsyncUtils.waitForFxEvents();
    for (String id : List.of("#dashTitle", "#dashStats", "#healthCaption")) {
      Label l = robot.lookup(id).queryAs(Label.class);
      assertNotNull(l.getTooltip(), id + " has no tooltip");
      assertEquals(l.getText(), l.getTooltip().getText(), id);
    }
    assertNotCutOff(robot, "#healthTable");
    Label stats = robot.lookup("#dashStats").queryAs(Label.class);
    javafx.scene.text.Text shown = (javafx.scene.text.Text) stats.lookup(".text");
    assertEquals(stats.getText(), shown.getText(), "#dashStats is cut off (it must wrap)");

    robot.clickOn("#tab-plugins");
    WaitForAsyncUtils.waitForFxEvents();
    assertNotCutOff(robot, "#extensionsTable");
    robot.clickOn("#rescan");
    WaitForAsyncUtils.waitForFxEvents();
    Label plugins = robot.lookup("#pluginsMessage").queryAs(Label.class);
    assertFalse(plugins.getText().isEmpty());
    assertEquals(plugins.getText(), plugins.getTooltip().getText());

    robot.clickOn("#tab-compose");
    Label source = robot.lookup("#composeSource").queryAs(Label.class);
    assertEquals(source.getText(), source.getTooltip().getText());
    robot.clickOn("#tab-runs");
    robot.clickOn("#refreshRuns");
    WaitForAsyncUtils.waitForFxEvents();
    Label runs = robot.lookup("#runsMessage").queryAs(Label.class);
    if (!runs.getText().isEmpty()) {
      assertEquals(runs.getText(), runs.getTooltip().getText());
    }
  }

  /** Every header and the id / kind cells of {@code tableId} show their whole text (no "..."). */
  private static void assertNotCutOff(FxRobot robot, String tableId) {
    TableView<?> table = robot.lookup(tableId).queryAs(TableView.class);
    WaitForAsyncUtils.waitForFxEvents();
    double columns = table.getColumns().stream().mapToDouble(c -> c.getWidth()).sum();
    assertTrue(columns <= table.getWidth(), tableId + ": columns " + columns + " px wide in a table of "
        + table.getWidth() + " px: the last ones are cut off");
    int checked = 0;
    for (Node n : table.lookupAll(".column-header .label")) {
      checked += assertWhole(n, tableId + " header");
    }
    assertTrue(checked >= table.getColumns().size(), "headers checked: " + checked);
    for (Node n : table.lookupAll(".table-cell")) {
      if (n instanceof Labeled cell && cell.getText() != null && !cell.getText().isEmpty()
          && ((javafx.scene.control.TableCell<?, ?>) cell).getTableColumn() != table.getColumns()
              .get(table.getColumns().size() - 1)) {
        assertWhole(cell, tableId + " cell");
      }
    }
  }

  private static int assertWhole(Node n, String what) {
    if (!(n instanceof Labeled l) || l.getText() == null || l.getText().isEmpty()) {
      return 0;
    }
    Text shown = (Text) l.lookup(".text");
    assertNotNull(shown, what + " '" + l.getText() + "' is not laid out");
    assertEquals(l.getText(), shown.getText(), what + " is cut off");
    return 1;
  }
}
