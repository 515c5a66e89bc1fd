package dev.roundhouse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.compose.ComposeView;
import java.nio.file.Path;
import javafx.scene.Node;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Editing the composed config from outside the Compose tab (load, set) decorates the field once shown. */
@ExtendWith(ApplicationExtension.class)
class ComposeScreenTest {
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
  void problemSetWhileHiddenIsShownOnTheField(FxRobot robot) throws Exception {
    Path cfg = Fixtures.tinyConfigFile(tmp, "hidden-edit", 5);
    robot.interact(() -> {
      app.compose().load(cfg);
      app.compose().field("model.moe.topK").textProperty().set("12");
      app.screenProperty().set(AppViewModel.Screen.COMPOSE);
    });
    TabPane tabs = robot.lookup("#mainTabs").queryAs(TabPane.class);
    assertEquals("tab-compose", tabs.getSelectionModel().getSelectedItem().getId());
    Node topK = robot.lookup("#" + ComposeView.idOf("model.moe.topK")).query();
    assertTrue(topK.getStyleClass().contains("field-error"));
    assertTrue(app.compose().problems().get(0).startsWith("model.moe.topK:"), app.compose().problems().toString());
  }
}
