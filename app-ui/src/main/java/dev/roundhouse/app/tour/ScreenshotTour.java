package dev.roundhouse.app.tour;

import javafx.application.Application;

/**
 * Takes the README screenshots from a real window: {@code ScreenshotTour <outDir> [runsDir]}. Trains
 * two small runs (router aux loss on and off), then captures each screen into {@code outDir}. Run it
 * through {@code app-ui/screenshots.sh}, which starts it under Xvfb.
 */
public final class ScreenshotTour {
  private ScreenshotTour() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: ScreenshotTour <outDir> [runsDir]");
      System.exit(2);
    }
    Application.launch(ScreenshotTourApp.class, args);
  }
}
