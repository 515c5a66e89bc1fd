package dev.roundhouse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.compose.ComposeView;
import dev.roundhouse.app.export.PngExport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListCell;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableRow;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The whole app, headless (Monocle): real plugin jars plus a broken one in a temp plugins folder;
 * compose a tiny config by typing, launch, watch the dashboard fill, stop, reopen from the runs list,
 * export the heat map, compare; the broken jar's error shows on the Plugins screen.
 */
@ExtendWith(ApplicationExtension.class)
class AppUiTest {
  @TempDir
  static Path tmp;
  private AppViewModel app;
  private MainView view;
  private AppWindow window;

  @Start
  void start(Stage stage) throws Exception {
    Path plugins = Fixtures.pluginsCopy(tmp);
    Fixtures.brokenJar(plugins);
    window = AppWindow.show(stage, plugins, tmp.resolve("runs"));
    app = window.app;
    view = window.view;
  }

  @AfterEach
  void close() throws Exception {
    AppWindow.closeIfShown(window);
  }

  @Test
  void composeLaunchWatchStopReopen(FxRobot robot) throws Exception {
    // Plugins: the real extensions and the broken jar's error, naming it.
    robot.clickOn("#tab-plugins");
    assertTrue(app.plugins().extensions().stream().anyMatch(e -> e.id().equals("mha")));
    assertTrue(robot.lookup("#pluginProblems .list-cell").queryAll().stream()
        .anyMatch(c -> text(c).contains("broken-plugin.jar")), "the broken jar's error is shown");

    // Compose: load the tiny config, then edit fields by typing; a bad value is decorated.
    robot.clickOn("#tab-compose");
    Path cfg = Fixtures.tinyConfigFile(tmp, "ui-tiny", 20);
    robot.interact(() -> app.compose().load(cfg));
    type(robot, "#" + ComposeView.idOf("model.moe.topK"), "9");
    Node topK = robot.lookup("#" + ComposeView.idOf("model.moe.topK")).query();
    assertTrue(topK.getStyleClass().contains("field-error"), "invalid topK is decorated");
    assertTrue(robot.lookup("#composeLaunch").queryButton().isDisabled());
    type(robot, "#" + ComposeView.idOf("model.moe.topK"), "2");
    type(robot, "#" + ComposeView.idOf("train.steps"), "5000");
    assertFalse(topK.getStyleClass().contains("field-error"));
    assertTrue(app.compose().problems().isEmpty(), app.compose().problems().toString());

    // Launch: the dashboard fills live.
    robot.clickOn("#composeLaunch");
    // the health table fills in its own FX pulse, after the loss series and heat map
    WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> app.dashboard().charts().loss().size() >= 3
        && app.dashboard().cursor().heatmapProperty().get() != null
        && app.dashboard().cursor().heatmapProperty().get().nonZeroCells() > 0
        && !view.dashboard().healthTable().getItems().isEmpty());
    assertEquals(AppViewModel.Screen.DASHBOARD, app.screenProperty().get());
    assertTrue(app.dashboard().cursor().heatmapProperty().get().nonZeroCells() >= 2, "top-2 of 4 experts: >= 2 cells");
    assertFalse(view.dashboard().healthTable().getItems().isEmpty(), "router health rows");
    Path png = tmp.resolve("heatmap.png");
    robot.interact(() -> {
      try {
        PngExport.write(view.dashboard().heatmap(), png);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(nonWhitePixels(png) > 500, "the exported heat map has drawn cells");

    // Stop from the Runs screen: a checkpoint is written and the run is listed as stopped.
    robot.clickOn("#tab-runs");
    robot.clickOn("#stopRun");
    WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !app.runs().runningProperty().get());
    assertTrue(app.runs().messageProperty().get().startsWith("Stopped"), app.runs().messageProperty().get());
    // the runs list is re-read from the run files once a second: wait for the listing made after the stop
    WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> app.runs().runs().size() == 1
        && "stopped".equals(app.runs().runs().get(0).status()));
    assertEquals(1, app.runs().runs().size());
    assertEquals("stopped", app.runs().runs().get(0).status());
    assertTrue(Files.list(app.runs().runs().get(0).dir().resolve("checkpoints")).findAny().isPresent());

    // Reopen it from the runs list.
    robot.interact(() -> app.dashboard().openRun(tmp));
    assertEquals(0, app.dashboard().charts().loss().size());
    robot.clickOn(robot.lookup("#runsTable .table-row-cell")
        .match((TableRow<?> r) -> r.isVisible() && r.getItem() != null).queryAs(Node.class));
    WaitForAsyncUtils.waitForFxEvents();
    assertEquals(app.runs().runs().get(0), app.runs().selectedProperty().get(), "row click selects the run");
    robot.clickOn("#openRun");
    WaitForAsyncUtils.waitForFxEvents();
    assertEquals(AppViewModel.Screen.DASHBOARD, app.screenProperty().get(), app.runs().messageProperty().get());
    assertTrue(app.dashboard().charts().loss().size() >= 3);
    assertEquals("stopped", app.dashboard().statusProperty().get());
    assertTrue(app.dashboard().cursor().heatmapProperty().get().nonZeroCells() > 0);

    // Compare shows its curve and final router health.
    robot.clickOn("#tab-compare");
    robot.clickOn(robot.lookup("#compareRuns .list-cell")
        .match((ListCell<?> c) -> c.isVisible() && c.getItem() != null).queryAs(Node.class));
    robot.clickOn("#compareButton");
    assertFalse(app.compare().lossCurves().isEmpty());
    assertFalse(app.compare().finalHealth().isEmpty());
  }

  private static void type(FxRobot robot, String query, String text) {
    TextField f = robot.lookup(query).queryAs(TextField.class);
    robot.interact(() -> reveal(f)); // a longer form puts the field below the fold, where a click misses it
    robot.clickOn(f);
    robot.interact(f::selectAll);
    robot.write(text);
    robot.type(KeyCode.TAB);
    WaitForAsyncUtils.waitForFxEvents();
    assertEquals(text, f.getText());
  }

  /** Scrolls the compose form's ScrollPane so that {@code n} is inside its viewport. */
  private static void reveal(Node n) {
    Parent p = n.getParent();
    while (p != null && !(p instanceof ScrollPane)) {
      p = p.getParent();
    }
    if (p instanceof ScrollPane scroll) {
      Node content = scroll.getContent();
      Bounds b = content.sceneToLocal(n.localToScene(n.getBoundsInLocal()));
      double hidden = content.getBoundsInLocal().getHeight() - scroll.getViewportBounds().getHeight();
      if (hidden > 0) {
        scroll.setVvalue(Math.max(0, Math.min(1, (b.getMinY() - 20) / hidden)));
      }
      scroll.layout();
    }
  }

  private static String text(Node n) {
    return n instanceof Labeled l && l.getText() != null ? l.getText() : "";
  }

  private static int nonWhitePixels(Path png) throws Exception {
    BufferedImage img = ImageIO.read(png.toFile());
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        n += (img.getRGB(x, y) & 0xffffff) != 0xffffff ? 1 : 0;
      }
    }
    return n;
  }
}
