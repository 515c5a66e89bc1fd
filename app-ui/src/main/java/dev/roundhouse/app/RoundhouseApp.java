package dev.roundhouse.app;

import javafx.application.Application;

/**
 * Entry point of the desktop app: {@code RoundhouseApp [runDir]}. With a run directory, the app opens
 * it in the dashboard. A plain main class (not the {@link Application} itself) so the app starts from
 * the class path without the JavaFX modules on the module path.
 */
public final class RoundhouseApp {
  private RoundhouseApp() {}

  public static void main(String[] args) {
    Application.launch(RoundhouseFx.class, args);
  }
}
