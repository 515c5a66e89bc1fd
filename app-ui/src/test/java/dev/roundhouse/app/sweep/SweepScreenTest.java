package dev.roundhouse.app.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.AppViewModel;
import dev.roundhouse.app.AppWindow;
import dev.roundhouse.app.Fixtures;
import dev.roundhouse.app.RunFiles;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.chart.LineChart;
import javafx.scene.control.ListView;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Sweep tab lists an opened sweep's trials; selecting them and pressing Compare fills the Compare tab. */
@ExtendWith(ApplicationExtension.class)
class SweepScreenTest {
  @TempDir
  static Path tmp;
  private AppViewModel app;
  private AppWindow window;

  @Start
  void start(Stage stage) {
    window = AppWindow.show(stage, Fixtures.builtPlugins(), tmp.resolve("runs"));
    app = window.app;
  }

  @AfterEach
  void close() throws Exception {
    AppWindow.closeIfShown(window);
  }

  @Test
  void selectedTrialsAreCompared(FxRobot robot) throws Exception {
    Path dir = RunFiles.sweepFolder(tmp);
    robot.clickOn("#tab-sweep");
    // what "Open sweep..." does with the folder the DirectoryChooser returns (on the FX thread)
    AtomicReference<CompletableFuture<Void>> opened = new AtomicReference<>();
    robot.interact(() -> opened.set(app.sweep().open(dir)));
    opened.get().get(30, TimeUnit.SECONDS);
    WaitForAsyncUtils.waitForFxEvents();
    TableView<?> table = robot.lookup("#sweepTable").queryAs(TableView.class);
    assertEquals(2, table.getItems().size());
    robot.clickOn("trial-000");
    robot.interact(() -> table.getSelectionModel().selectAll());
    robot.clickOn("#compareSweepTrials");
    WaitForAsyncUtils.waitForFxEvents();
    TabPane tabs = robot.lookup("#mainTabs").queryAs(TabPane.class);
    assertEquals("tab-compare", tabs.getSelectionModel().getSelectedItem().getId());
    assertEquals("Comparing 2 run(s)", app.compare().messageProperty().get());
    assertFalse(app.compare().finalHealth().isEmpty());

    // the trials are runs of the Compare list, selected; each run has one colour, its val curve dashed
    ListView<?> runs = robot.lookup("#compareRuns").queryAs(ListView.class);
    assertEquals(2, runs.getItems().size());
    assertEquals(2, runs.getSelectionModel().getSelectedItems().size());
    LineChart<?, ?> chart = robot.lookup("#compareChart").queryAs(LineChart.class);
    String trainStyle = styleOf(chart, "trial-000 loss");
    String valStyle = styleOf(chart, "trial-000 val");
    String other = styleOf(chart, "trial-001 loss");
    String colour = app.compare().colourOf("trial-000");
    assertTrue(trainStyle.contains(colour) && valStyle.contains(colour), trainStyle + " / " + valStyle);
    assertFalse(trainStyle.contains("dash"), trainStyle);
    assertTrue(valStyle.contains("-fx-stroke-dash-array"), valStyle);
    assertFalse(other.contains(colour), "another run, another colour: " + other);
    robot.clickOn("#compare-health");
    LineChart<?, ?> health = robot.lookup("#compareHealthChart").queryAs(LineChart.class);
    assertEquals(2, health.getData().size(), "both trials' cv over time");

    robot.interact(() -> runs.getSelectionModel().clearAndSelect(0));
    robot.clickOn("#compareButton");
    WaitForAsyncUtils.waitForFxEvents();
    assertEquals("Comparing 1 run(s)", app.compare().messageProperty().get());
  }

  private static String styleOf(LineChart<?, ?> chart, String series) {
    return chart.getData().stream().filter(s -> s.getName().equals(series)).findFirst()
        .map(s -> s.getNode().getStyle()).orElseThrow(() -> new AssertionError("no series " + series));
  }
}
