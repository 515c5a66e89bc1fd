package dev.roundhouse.app.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.roundhouse.app.AppViewModel;
import dev.roundhouse.app.AppWindow;
import dev.roundhouse.app.Fixtures;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    Path dir = SweepViewModelTest.sweepFolder(tmp);
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
  }
}
