package dev.roundhouse.app;

import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The JavaFX application: builds the {@link AppViewModel} (plugins folder, runs folder) and the
 * {@link MainView}. Parameters: optional run directory to open in the dashboard. Folders come from
 * system properties {@code roundhouse.plugins.dir} (else the host default) and
 * {@code roundhouse.runs.dir} (else {@code runs/} in the working directory).
 */
public class RoundhouseFx extends Application {
  private AppViewModel model;

  @Override
  public void start(Stage stage) {
    model = AppViewModel.fromSystemProperties(UiExecutor.fx());
    MainView view = new MainView(model);
    Scene scene = new Scene(view.root(), 1280, 820);
    scene.getStylesheets().add(MainView.stylesheet());
    stage.titleProperty().bind(view.windowTitle());
    stage.setScene(scene);
    stage.show();
    List<String> args = getParameters().getRaw();
    if (!args.isEmpty()) {
      model.openRun(Path.of(args.get(0)));
    }
  }

  @Override
  public void stop() {
    if (model != null) {
      model.close();
    }
  }
}
