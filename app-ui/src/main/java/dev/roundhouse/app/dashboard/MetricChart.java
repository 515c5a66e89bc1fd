package dev.roundhouse.app.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.shape.Rectangle;
import javafx.util.Duration;

/**
 * One line chart of named metric series drawn from the dashboard ViewModel, with optional horizontal
 * threshold lines (dashed red, e.g. the run's alarm thresholds). {@link #refresh} replaces every series
 * with fresh data (never leaves a previous run's line behind); the x axis spans 0 .. the run's end when
 * known, or the zoomed range, with whole-number step ticks. With {@link #zoomWith} a drag over the plot
 * zooms to the dragged x range, the mouse wheel zooms around the pointer and a double click resets.
 */
public final class MetricChart {
  /** A curve: its legend label, where its points come from, and whether each point gets a marker (evals). */
  public record Line(String label, Supplier<List<double[]>> points, boolean markers) {
    public Line(String label, Supplier<List<double[]>> points) {
      this(label, points, false);
    }
  }

  /** A horizontal line at {@code value} (before log-y) labelled {@code label}; null value: none. */
  public record Threshold(String label, Supplier<Double> value) {}

  private final LineChart<Number, Number> chart;
  private final NumberAxis x = new NumberAxis();
  private final NumberAxis y = new NumberAxis();
  private final String yLabel;
  private final Supplier<List<Line>> lines;
  private final List<Threshold> thresholds;
  private final Pane overlay = new Pane();
  private final Rectangle band = new Rectangle();
  private final StackPane node;
  private Double dragFrom;
  private double dragFromSceneX;

  public MetricChart(String id, String yLabel, Supplier<List<Line>> lines, List<Threshold> thresholds) {
    this.yLabel = yLabel;
    this.lines = lines;
    this.thresholds = thresholds;
    y.setForceZeroInRange(false);
    chart = new LineChart<>(x, y);
    chart.setId(id);
    chart.setAnimated(false);
    chart.setCreateSymbols(false);
    chart.setPrefHeight(180);
    chart.setMinHeight(120);
    Tooltip tip = new Tooltip();
    tip.setShowDelay(Duration.millis(50));
    Tooltip.install(chart, tip);
    chart.setOnMouseMoved(e -> tip.setText(readout(e.getSceneX(), e.getSceneY())));
    band.getStyleClass().add("zoom-band");
    band.setManaged(false);
    band.setVisible(false);
    overlay.getChildren().add(band);
    overlay.setMouseTransparent(true);
    node = new StackPane(chart, overlay);
  }

  /** What a drag, the mouse wheel and a double click over the chart change. */
  public interface Zoom {
    /** Show x in [a, b]. */
    void zoomTo(double a, double b);

    /** Scale the shown range by {@code factor} around x {@code at}. */
    void zoomAround(double at, double factor);

    /** Show the whole run. */
    void resetZoom();
  }

  /** Turns on zooming with the mouse: drag a range, wheel, double click to reset. */
  public void zoomWith(Zoom zoom) {
    chart.setOnMousePressed(e -> {
      if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 1) {
        dragFrom = xAt(e.getSceneX(), e.getSceneY());
        dragFromSceneX = e.getSceneX();
      }
    });
    chart.setOnMouseDragged(e -> {
      if (dragFrom != null) {
        showBand(dragFromSceneX, e.getSceneX());
      }
    });
    chart.setOnMouseReleased(e -> {
      band.setVisible(false);
      if (dragFrom != null && Math.abs(e.getSceneX() - dragFromSceneX) >= 5) {
        zoom.zoomTo(dragFrom, xAt(e.getSceneX(), e.getSceneY()));
      }
      dragFrom = null;
    });
    chart.setOnMouseClicked(e -> {
      if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) {
        zoom.resetZoom();
      }
    });
    chart.setOnScroll(e -> {
      if (e.getDeltaY() != 0) {
        zoom.zoomAround(xAt(e.getSceneX(), e.getSceneY()), e.getDeltaY() > 0 ? 0.8 : 1.25);
      }
    });
  }

  /** The x value under scene point ({@code sceneX}, {@code sceneY}). */
  double xAt(double sceneX, double sceneY) {
    return x.getValueForDisplay(x.sceneToLocal(sceneX, sceneY).getX()).doubleValue();
  }

  private void showBand(double sceneA, double sceneB) {
    Bounds plot = overlay.sceneToLocal(y.localToScene(y.getLayoutBounds()));
    double a = overlay.sceneToLocal(Math.min(sceneA, sceneB), 0).getX();
    double b = overlay.sceneToLocal(Math.max(sceneA, sceneB), 0).getX();
    band.setX(a);
    band.setY(plot.getMinY());
    band.setWidth(b - a);
    band.setHeight(plot.getHeight());
    band.setVisible(true);
  }

  /** The chart with its zoom overlay: what a view lays out. */
  public Node node() {
    return node;
  }

  /** The value of each series nearest the pointer's x: "x 120: train loss 2.31, val loss 2.40". */
  String readout(double sceneX, double sceneY) {
    double xv = xAt(sceneX, sceneY);
    StringBuilder b = new StringBuilder(String.format("%s %.6g:", x.getLabel() == null ? "x" : x.getLabel(), xv));
    for (XYChart.Series<Number, Number> s : chart.getData()) {
      XYChart.Data<Number, Number> best = null;
      for (XYChart.Data<Number, Number> d : s.getData()) {
        if (best == null || Math.abs(d.getXValue().doubleValue() - xv) < Math.abs(best.getXValue().doubleValue() - xv)) {
          best = d;
        }
      }
      if (best != null) {
        b.append(String.format("  %s %.5g (at %.6g)", s.getName(), best.getYValue().doubleValue(),
            best.getXValue().doubleValue()));
      }
    }
    return b.toString();
  }

  public LineChart<Number, Number> chart() {
    return chart;
  }

  /** Redraws from the ViewModel: x unit label {@code xLabel}, x range {@code range} {lo, hi} (auto when null). */
  public void refresh(String xLabel, double[] range, boolean logY) {
    x.setLabel(xLabel);
    y.setLabel(logY ? "log10 " + yLabel : yLabel);
    List<XYChart.Series<Number, Number>> all = new ArrayList<>();
    List<XYChart.Series<Number, Number>> plain = new ArrayList<>();
    boolean markers = false;
    double maxX = range == null ? 0 : range[1];
    double minX = range == null ? 0 : range[0];
    for (Line l : lines.get()) {
      markers |= l.markers();
      XYChart.Series<Number, Number> s = new XYChart.Series<>();
      s.setName(l.label());
      List<XYChart.Data<Number, Number>> d = new ArrayList<>();
      for (double[] p : l.points().get()) {
        if (range != null && (p[0] < range[0] || p[0] > range[1])) {
          continue; // zoomed: the y axis fits the shown part
        }
        d.add(new XYChart.Data<>(p[0], p[1]));
        maxX = Math.max(maxX, p[0]);
      }
      s.getData().setAll(d);
      all.add(s);
      if (!l.markers()) {
        plain.add(s);
      }
    }
    chart.setCreateSymbols(markers);
    List<XYChart.Series<Number, Number>> lines = new ArrayList<>();
    for (Threshold t : thresholds) {
      Double v = t.value().get();
      if (v == null || v <= 0 || (logY && v <= 0)) {
        continue;
      }
      double yv = logY ? Math.log10(v) : v;
      XYChart.Series<Number, Number> s = new XYChart.Series<>();
      s.setName(t.label());
      s.getData().setAll(List.of(new XYChart.Data<>(minX, yv), new XYChart.Data<>(Math.max(minX + 1, maxX), yv)));
      lines.add(s);
    }
    all.addAll(lines);
    chart.getData().setAll(all);
    if (markers) {
      plain.addAll(lines);
      for (XYChart.Series<Number, Number> s : plain) {
        s.getData().forEach(d -> {
          if (d.getNode() != null) {
            d.getNode().setVisible(false);
          }
        });
      }
    }
    for (XYChart.Series<Number, Number> s : lines) {
      if (s.getNode() != null) {
        s.getNode().setStyle("-fx-stroke: #c62828; -fx-stroke-dash-array: 6 4; -fx-stroke-width: 1.5;");
      }
    }
    if (range != null) {
      x.setAutoRanging(false);
      x.setLowerBound(range[0]);
      x.setUpperBound(range[1]);
      x.setTickUnit(niceTick(range[1] - range[0]));
    } else {
      x.setAutoRanging(true);
    }
  }

  /** A tick unit giving about 8 ticks, whole numbers (1, 2, 5 x 10^k). */
  public static double niceTick(double span) {
    double raw = Math.max(1, span / 8);
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double m = raw / p;
    double unit = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    return Math.max(1, Math.round(unit));
  }
}
