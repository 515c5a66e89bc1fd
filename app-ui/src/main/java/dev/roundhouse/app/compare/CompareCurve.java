package dev.roundhouse.app.compare;

import java.util.List;

/**
 * One curve of the Compare charts.
 *
 * @param run the run it belongs to
 * @param name its legend / hover name, e.g. "trial-000 val"
 * @param colour the run's colour (CSS hex), the same on every chart
 * @param dash CSS stroke dash array ("" solid; val loss "6 4")
 * @param points {x (step), y}
 */
public record CompareCurve(String run, String name, String colour, String dash, List<double[]> points) {
  /** The dash of validation curves. */
  public static final String VAL_DASH = "6 4";
}
