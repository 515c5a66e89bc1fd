package dev.roundhouse.app.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.chart.XYChart;

/**
 * What the dashboard's charts draw from the open run: any logged metric as a series in the chosen x unit
 * (steps, tokens, wall time), smoothed, on a log-y scale, over the x range (0 .. the run's configured end,
 * or a zoomed part of it), and per MoE layer its router health over time for all tokens or one domain.
 * The loss / val loss / tokens/s / LR point lists follow the run as it streams. UI thread only.
 */
public final class DashboardCharts implements MetricChart.Zoom {
  /** Chart series are thinned (every other point dropped) beyond this many points. */
  public static final int MAX_POINTS = 2000;

  private final Supplier<RunHistory> history;
  private final ObservableList<XYChart.Data<Number, Number>> loss = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> valLoss = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> tokensPerS = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> lr = FXCollections.observableArrayList();
  private final IntegerProperty revision = new SimpleIntegerProperty(0);
  private final ObjectProperty<SeriesMath.XMode> xMode = new SimpleObjectProperty<>(SeriesMath.XMode.STEPS);
  private final DoubleProperty smoothing = new SimpleDoubleProperty(0);
  private final BooleanProperty logY = new SimpleBooleanProperty(false);
  private final ObjectProperty<double[]> zoom = new SimpleObjectProperty<>();
  private final StringProperty healthDomain = new SimpleStringProperty();

  /** {@code history}: the open run's history (replaced when another run opens). */
  DashboardCharts(Supplier<RunHistory> history) {
    this.history = history;
    xMode.addListener(o -> zoom.set(null)); // a range in steps means nothing in tokens
    for (javafx.beans.Observable p : List.of(xMode, smoothing, logY, zoom, healthDomain)) {
      p.addListener(o -> changed());
    }
  }

  /** The run changed (new events, another run): the views redraw. */
  void changed() {
    revision.set(revision.get() + 1);
  }

  /** Another run opened: empty point lists, no zoom. */
  void clear() {
    loss.clear();
    valLoss.clear();
    tokensPerS.clear();
    lr.clear();
    zoom.set(null);
  }

  /** Adds the points logged after the first {@code lossFrom} steps and {@code valFrom} evals. */
  void appendFrom(int lossFrom, int valFrom) {
    RunHistory h = history.get();
    append(loss, h.loss(), lossFrom);
    append(tokensPerS, h.tokensPerS(), lossFrom);
    append(lr, h.lr(), lossFrom);
    append(valLoss, h.valLoss(), valFrom);
  }

  /**
   * The series of metric {@code name} (see {@link RunHistory#metrics()}) as the charts draw it: x in the
   * chosen unit, smoothed (when {@code smoothable}), log10 when log-y is on, at most {@value #MAX_POINTS}
   * points. Empty when the run has not logged it.
   */
  public List<double[]> series(String name, boolean smoothable) {
    return shaped(history.get().metrics().getOrDefault(name, List.of()), smoothable);
  }

  /**
   * Router health metric {@code metric} ({@link RunHistory#CV}, {@link RunHistory#ENTROPY}, ...) of MoE layer
   * {@code layer} over time, for the tokens {@link #healthDomainProperty()} names (null: all tokens), shaped
   * as {@link #series}.
   */
  public List<double[]> healthSeries(int layer, String metric) {
    String d = healthDomain.get();
    List<double[]> pts = d == null ? history.get().metrics().getOrDefault("layer " + layer + " " + metric, List.of())
        : history.get().healthOverTime(layer, metric, d);
    return shaped(pts, true);
  }

  /** "layer 1, all tokens" or "layer 1, domain code": what the health-over-time charts show. */
  public String healthLabel(Integer layer) {
    String d = healthDomain.get();
    return layer == null ? "no MoE layer logged yet"
        : "layer " + layer + ", " + (d == null ? "all tokens" : "domain " + d);
  }

  private List<double[]> shaped(List<double[]> pts, boolean smoothable) {
    if (smoothable) {
      pts = SeriesMath.smooth(pts, smoothing.get());
    }
    pts = SeriesMath.toX(pts, history.get().clock(), xMode.get());
    if (logY.get()) {
      pts = SeriesMath.log10(pts);
    }
    return SeriesMath.thin(pts, MAX_POINTS);
  }

  /** Names of every metric logged so far. */
  public List<String> metricNames() {
    return List.copyOf(history.get().metrics().keySet());
  }

  /** The x value of the run's last configured step in the chosen unit (0 when unknown). */
  public double xEnd() {
    RunHistory h = history.get();
    if (xMode.get() == SeriesMath.XMode.STEPS) {
      return h.totalSteps();
    }
    List<double[]> c = h.clock();
    if (c.isEmpty()) {
      return 0;
    }
    double[] last = c.get(c.size() - 1);
    double col = xMode.get() == SeriesMath.XMode.WALL_TIME ? last[1] : last[2];
    return h.totalSteps() > last[0] && last[0] > 0 ? col * h.totalSteps() / last[0] : col;
  }

  /**
   * The x range the charts show: the zoomed range, else 0 .. {@link #xEnd()} (0 .. the last logged x when
   * the end is unknown); null when nothing is known yet (the axis ranges itself).
   */
  public double[] xRange() {
    return zoom.get() != null ? zoom.get().clone() : fullRange();
  }

  /** Shows x in [a, b] (either order; whole steps in step mode); a span under one step is ignored. */
  @Override
  public void zoomTo(double a, double b) {
    double lo = Math.max(0, Math.min(a, b));
    double hi = Math.max(a, b);
    if (xMode.get() == SeriesMath.XMode.STEPS) {
      lo = Math.floor(lo);
      hi = Math.ceil(hi);
    }
    double[] full = fullRange();
    if (full != null) {
      hi = Math.min(hi, full[1]);
    }
    if (hi - lo < minSpan() || (full != null && lo <= full[0] && hi >= full[1])) {
      if (full != null && lo <= full[0] && hi >= full[1]) {
        zoom.set(null);
      }
      return;
    }
    zoom.set(new double[] {lo, hi});
  }

  /** Scales the shown range by {@code factor} (below 1: closer) keeping x {@code at} in place. */
  @Override
  public void zoomAround(double at, double factor) {
    double[] r = xRange();
    if (r == null) {
      return;
    }
    double lo = at - (at - r[0]) * factor;
    double hi = at + (r[1] - at) * factor;
    if (hi - lo < minSpan()) {
      double mid = (lo + hi) / 2;
      lo = mid - minSpan() / 2;
      hi = mid + minSpan() / 2;
    }
    zoomTo(lo, hi);
  }

  /** Back to the whole run. */
  @Override
  public void resetZoom() {
    zoom.set(null);
  }

  /** 0 .. the run's end (or its last logged x), null when nothing is known. */
  private double[] fullRange() {
    double end = xEnd();
    if (end <= 0) {
      List<double[]> c = SeriesMath.toX(history.get().loss(), history.get().clock(), xMode.get());
      end = c.isEmpty() ? 0 : c.get(c.size() - 1)[0];
    }
    return end > 0 ? new double[] {0, end} : null;
  }

  private double minSpan() {
    return xMode.get() == SeriesMath.XMode.STEPS ? 2 : 1e-9;
  }

  private static void append(ObservableList<XYChart.Data<Number, Number>> target, List<double[]> pts, int from) {
    List<XYChart.Data<Number, Number>> add = new ArrayList<>();
    for (int i = from; i < pts.size(); i++) {
      add.add(new XYChart.Data<>(pts.get(i)[0], pts.get(i)[1]));
    }
    target.addAll(add);
    if (target.size() > MAX_POINTS) {
      List<XYChart.Data<Number, Number>> thin = new ArrayList<>();
      for (int i = 0; i < target.size(); i++) {
        if (i % 2 == 0 || i == target.size() - 1) {
          thin.add(target.get(i));
        }
      }
      target.setAll(thin);
    }
  }

  public ObservableList<XYChart.Data<Number, Number>> loss() {
    return loss;
  }

  public ObservableList<XYChart.Data<Number, Number>> valLoss() {
    return valLoss;
  }

  public ObservableList<XYChart.Data<Number, Number>> tokensPerS() {
    return tokensPerS;
  }

  public ObservableList<XYChart.Data<Number, Number>> lr() {
    return lr;
  }

  /** Changes whenever the series would draw differently (new events, x unit, smoothing, log-y, zoom, domain). */
  public IntegerProperty revisionProperty() {
    return revision;
  }

  public ObjectProperty<SeriesMath.XMode> xModeProperty() {
    return xMode;
  }

  /** EMA weight on the past, 0 (off) .. 0.99. */
  public DoubleProperty smoothingProperty() {
    return smoothing;
  }

  public BooleanProperty logYProperty() {
    return logY;
  }

  /** The zoomed x range {lo, hi}, null when the whole run shows. */
  public ObjectProperty<double[]> zoomProperty() {
    return zoom;
  }

  /** The domain whose tokens the health-over-time charts follow, null for all tokens. */
  public StringProperty healthDomainProperty() {
    return healthDomain;
  }
}
