package dev.roundhouse.app;

import java.util.concurrent.Executor;
import javafx.application.Platform;

/**
 * Where ViewModels apply results that the UI observes: the FX application thread in the app, the
 * calling thread in unit tests that run without the FX toolkit.
 */
public interface UiExecutor extends Executor {

  /** Runs on the FX thread: directly when already there, else through {@link Platform#runLater}. */
  static UiExecutor fx() {
    return r -> {
      if (Platform.isFxApplicationThread()) {
        r.run();
      } else {
        Platform.runLater(r);
      }
    };
  }

  /** Runs on the calling thread (tests). */
  static UiExecutor direct() {
    return Runnable::run;
  }
}
