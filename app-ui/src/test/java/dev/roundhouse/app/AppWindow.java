package dev.roundhouse.app;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The whole app in a TestFX stage (1200 x 780, the app's style sheet, the window title bound as the app binds
 * it): what every screen test starts from. {@link #close()} stops what the app runs, on the FX thread.
 */
public final class AppWindow implements AutoCloseable {
  public final AppViewModel app;
  public final MainView view;
  public final Stage stage;

  private AppWindow(AppViewModel app, MainView view, Stage stage) {
    this.app = app;
    this.view = view;
    this.stage = stage;
  }

  /** Shows the app over plugins folder {@code plugins} and runs folder {@code runs} in {@code stage}. */
  public static AppWindow show(Stage stage, Path plugins, Path runs) {
    AppViewModel app = new AppViewModel(plugins, runs, UiExecutor.fx());
    MainView view = new MainView(app);
    Scene scene = new Scene(view.root(), 1200, 780);
    scene.getStylesheets().add(MainView.stylesheet());
    stage.setScene(scene);
    stage.titleProperty().bind(view.windowTitle());
    stage.show();
    return new AppWindow(app, view, stage);
  }

  /** Closes the app (a live run is stopped) on the FX thread: stopping updates properties bound to controls. */
  @Override
  public void close() throws Exception {
    WaitForAsyncUtils.asyncFx(app::close).get(30, TimeUnit.SECONDS);
  }

  /** Closes {@code w} when a test started one. */
  public static void closeIfShown(AppWindow w) throws Exception {
    if (w != null) {
      w.close();
    }
  }
}
