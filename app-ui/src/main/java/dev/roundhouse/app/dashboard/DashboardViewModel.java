package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.chart.XYChart;

/**
 * The Dashboard of one live or finished run: loss / val loss / tokens per second / LR series, the
 * expert-load heat map of a chosen window ({@link #loadIndexProperty()}, following the newest one in
 * {@link #liveProperty() live} mode), its router health table and the alarms. A live run's events
 * arrive through an {@link EventThrottle} (at most one UI update per {@value #THROTTLE_MS} ms).
 */
public final class DashboardViewModel implements AutoCloseable {
  /** Longest gap between UI updates while a run streams events. */
  public static final long THROTTLE_MS = 150;
  /** Chart series are thinned (every other point dropped) beyond this many points. */
  public static final int MAX_POINTS = 2000;
  /** How often a run written by another process is polled for new metrics lines. */
  public static final long TAIL_MS = 500;
  /** Domain choice meaning all tokens. */
  public static final String ALL_DOMAINS = "all tokens";

  private final UiExecutor ui;
  private RunHistory history = new RunHistory();
  private EventThrottle throttle;
  private EventBus.Subscription subscription;
  private RunTail tail;

  private final StringProperty title = new SimpleStringProperty("No run open");
  private final StringProperty status = new SimpleStringProperty("");
  private final StringProperty stats = new SimpleStringProperty("");
  private final StringProperty notice = new SimpleStringProperty("");
  private final IntegerProperty generation = new SimpleIntegerProperty(0);
  private final ObservableList<XYChart.Data<Number, Number>> loss = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> valLoss = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> tokensPerS = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> lr = FXCollections.observableArrayList();
  private final IntegerProperty loadCount = new SimpleIntegerProperty(0);
  private final IntegerProperty loadIndex = new SimpleIntegerProperty(0);
  private final BooleanProperty live = new SimpleBooleanProperty(true);
  private final ObjectProperty<Heatmap> heatmap = new SimpleObjectProperty<>();
  private final ObservableList<HealthRow> health = FXCollections.observableArrayList();
  private final ObservableList<AlarmGroup> alarms = FXCollections.observableArrayList();
  private final ObjectProperty<HealthThresholds> thresholds = new SimpleObjectProperty<>(HealthThresholds.of(null));
  private final StringProperty healthCaption = new SimpleStringProperty("");
  private final ObservableList<Integer> layers = FXCollections.observableArrayList();
  private final ObjectProperty<Integer> timelineLayer = new SimpleObjectProperty<>();
  private final ObjectProperty<ExpertTimeline> timeline = new SimpleObjectProperty<>();
  private final IntegerProperty revision = new SimpleIntegerProperty(0);
  private final ObjectProperty<SeriesMath.XMode> xMode = new SimpleObjectProperty<>(SeriesMath.XMode.STEPS);
  private final DoubleProperty smoothing = new SimpleDoubleProperty(0);
  private final BooleanProperty logY = new SimpleBooleanProperty(false);
  private final LongProperty totalSteps = new SimpleLongProperty(0);
  private final ObservableList<String> domains = FXCollections.observableArrayList(ALL_DOMAINS);
  private final StringProperty domain = new SimpleStringProperty(ALL_DOMAINS);

  public DashboardViewModel(UiExecutor ui) {
    this.ui = ui;
    loadIndex.addListener((o, a, b) -> {
      if (loadCount.get() > 0 && b.intValue() < loadCount.get() - 1) {
        live.set(false);
      }
      showLoad();
    });
    live.addListener((o, a, b) -> {
      if (b && loadCount.get() > 0) {
        loadIndex.set(loadCount.get() - 1);
      }
    });
    domain.addListener((o, a, b) -> {
      if (b == null) {
        domain.set(ALL_DOMAINS); // a combo box whose item list was replaced clears its value
        return;
      }
      showLoad();
      showTimeline();
    });
    timelineLayer.addListener((o, a, b) -> showTimeline());
    for (javafx.beans.Observable p : List.of(xMode, smoothing, logY)) {
      p.addListener(o -> revision.set(revision.get() + 1));
    }
  }

  /** Follows a live run: clears the dashboard and subscribes (throttled) to {@code bus}. */
  public void attach(EventBus bus, String name) {
    attach(bus, name, null);
  }

  /** As {@link #attach(EventBus, String)}, first showing what {@code resumedDir} recorded so far (a resume). */
  public void attach(EventBus bus, String name, Path resumedDir) {
    detach();
    RunHistory h = new RunHistory();
    if (resumedDir != null) {
      try {
        h = RunHistory.read(resumedDir);
      } catch (RuntimeException e) {
        h = new RunHistory(); // unreadable history: show the resumed part only
      }
    }
    reset(h, name);
    refreshAll();
    status.set("starting");
    live.set(true);
    throttle = new EventThrottle(ui, THROTTLE_MS, this::applyBatch);
    subscription = bus.subscribe(throttle);
  }

  /** The live run returned ({@code stopped}: after a stop request); delivers what is still queued. */
  public void runEnded(boolean stopped, String failure) {
    EventThrottle t = throttle;
    ui.execute(() -> {
      if (t != null) {
        t.flush();
      }
      if (stopped) {
        history.markStopped();
      }
      status.set(failure != null ? "failed" : history.status().name().toLowerCase());
      notice.set(failure != null ? "Failed: " + failure : "");
      if (throttle == t) {
        detach();
      }
    });
  }

  /**
   * A resume of {@code runDir} that never started (e.g. another writer holds the directory): shows the
   * run as its files tell it, with {@code why} as a notice; the run itself did not fail.
   */
  public void runRefused(Path runDir, String why) {
    ui.execute(() -> {
      openRun(runDir);
      notice.set("Resume refused: " + why);
    });
  }

  /**
   * Shows a run directory's recorded metrics; a run another process is still writing (its lock file
   * names a living process) is followed: new lines of its metrics.jsonl are applied as they come.
   */
  public void openRun(Path runDir) {
    detach();
    RunHistory h;
    boolean followed = RunLiveness.writtenByAnotherProcess(runDir);
    try {
      h = followed ? RunHistory.readLive(runDir) : RunHistory.read(runDir);
    } catch (RuntimeException e) {
      reset(new RunHistory(), runDir.getFileName().toString());
      status.set("unreadable");
      notice.set("Cannot read: " + e.getMessage());
      return;
    }
    reset(h, runDir.getFileName().toString());
    live.set(true);
    if (followed && !h.ended()) {
      h.markLive();
      tail = new RunTail(runDir, h.offset(), TAIL_MS, ui, this::applyBatch, () -> {
        history.settle();
        updateStatus();
      });
    }
    refreshAll();
  }

  /** Applies a batch of events (UI thread). */
  void applyBatch(List<RunEvent> batch) {
    int before = history.loadCount();
    int lossBefore = history.loss().size();
    int valBefore = history.valLoss().size();
    batch.forEach(history::apply);
    append(loss, history.loss(), lossBefore);
    append(tokensPerS, history.tokensPerS(), lossBefore);
    append(lr, history.lr(), lossBefore);
    append(valLoss, history.valLoss(), valBefore);
    alarms.setAll(history.alarmGroups());
    thresholds.set(history.thresholds());
    totalSteps.set(history.totalSteps());
    updateLoads(before);
    updateStatus();
    revision.set(revision.get() + 1);
  }

  private void refreshAll() {
    loss.clear();
    valLoss.clear();
    tokensPerS.clear();
    lr.clear();
    append(loss, history.loss(), 0);
    append(tokensPerS, history.tokensPerS(), 0);
    append(lr, history.lr(), 0);
    append(valLoss, history.valLoss(), 0);
    alarms.setAll(history.alarmGroups());
    thresholds.set(history.thresholds());
    totalSteps.set(history.totalSteps());
    updateLoads(0);
    updateStatus();
    revision.set(revision.get() + 1);
  }

  private void updateLoads(int before) {
    List<String> d = new ArrayList<>(List.of(ALL_DOMAINS));
    d.addAll(history.domains());
    if (!d.equals(domains)) {
      domains.setAll(d);
    }
    int n = history.loadCount();
    if (n == before && before > 0) {
      return;
    }
    List<Integer> ls = history.layers();
    if (!ls.equals(layers)) {
      layers.setAll(ls);
    }
    if (timelineLayer.get() == null || !ls.contains(timelineLayer.get())) {
      timelineLayer.set(ls.isEmpty() ? null : ls.get(0));
    }
    showTimeline();
    loadCount.set(n);
    if (n > 0 && (live.get() || before == 0)) {
      if (loadIndex.get() == n - 1) {
        showLoad();
      } else {
        loadIndex.set(n - 1);
      }
    }
  }

  private void updateStatus() {
    status.set(history.status().name().toLowerCase());
    String last = history.loss().isEmpty() ? "-" : String.format("%.4f", lastY(history.loss()));
    String val = history.bestValLoss() == null ? "-" : String.format("%.4f", history.bestValLoss());
    String tps = history.tokensPerS().isEmpty() ? "-" : String.format("%.0f", lastY(history.tokensPerS()));
    String rate = history.lr().isEmpty() ? "-" : String.format("%.3g", lastY(history.lr()));
    stats.set("step " + history.lastStep() + (history.totalSteps() > 0 ? " / " + history.totalSteps() : "")
        + "   loss " + last + "   best val " + val + "   tokens/s " + tps + "   lr " + rate + timing()
        + (history.peakRssBytes() == null ? "" : String.format("   peak RSS %.2f GB", history.peakRssBytes() / 1e9)));
  }

  /** "   elapsed 1m05s   ETA 2m10s" from the logged steps' times; ETA only while the run goes on. */
  private String timing() {
    List<double[]> c = history.clock();
    if (c.size() < 2) {
      return "";
    }
    double[] first = c.get(0);
    double[] last = c.get(c.size() - 1);
    String out = "   elapsed " + duration(last[1]);
    boolean going = history.status() == RunHistory.Status.RUNNING || history.status() == RunHistory.Status.STARTING;
    if (going && history.totalSteps() > last[0] && last[0] > first[0]) {
      double perStep = (last[1] - first[1]) / (last[0] - first[0]);
      out += "   ETA " + duration(perStep * (history.totalSteps() - last[0]));
    }
    return out;
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }

  private static double lastY(List<double[]> pts) {
    return pts.get(pts.size() - 1)[1];
  }

  private void showLoad() {
    int i = loadIndex.get();
    if (i < 0 || i >= history.loadCount()) {
      heatmap.set(null);
      health.clear();
      return;
    }
    String d = ALL_DOMAINS.equals(domain.get()) ? null : domain.get();
    heatmap.set(history.heatmap(i, d));
    health.setAll(history.health(i, "", d));
    healthCaption.set("Router health at step " + history.loadStep(i) + " (window " + (i + 1) + " of "
        + history.loadCount() + "), " + (d == null ? "all tokens" : "domain " + d));
  }

  private void showTimeline() {
    Integer layer = timelineLayer.get();
    String d = ALL_DOMAINS.equals(domain.get()) ? null : domain.get();
    timeline.set(layer == null || history.loadCount() == 0 ? null : history.timeline(layer, d));
  }

  /** Moves the time cursor (load window, heat map, health table) to the window of {@code step}; leaves live mode. */
  public void jumpToStep(long step) {
    if (history.loadCount() == 0) {
      return;
    }
    live.set(false);
    loadIndex.set(history.loadIndexAt(step));
  }

  /**
   * The series of metric {@code name} (see {@link RunHistory#metrics()}) as the charts draw it: x in the
   * chosen unit, smoothed (when {@code smoothable}), log10 when log-y is on, at most {@value #MAX_POINTS}
   * points. Empty when the run has not logged it.
   */
  public List<double[]> series(String name, boolean smoothable) {
    List<double[]> pts = history.metrics().getOrDefault(name, List.of());
    if (smoothable) {
      pts = SeriesMath.smooth(pts, smoothing.get());
    }
    pts = SeriesMath.toX(pts, history.clock(), xMode.get());
    if (logY.get()) {
      pts = SeriesMath.log10(pts);
    }
    return SeriesMath.thin(pts, MAX_POINTS);
  }

  /** Names of every metric logged so far. */
  public List<String> metricNames() {
    return List.copyOf(history.metrics().keySet());
  }

  /** The x value of the run's last configured step in the chosen unit (0 when unknown). */
  public double xEnd() {
    if (xMode.get() == SeriesMath.XMode.STEPS) {
      return history.totalSteps();
    }
    List<double[]> c = history.clock();
    if (c.isEmpty()) {
      return 0;
    }
    double[] last = c.get(c.size() - 1);
    double col = xMode.get() == SeriesMath.XMode.WALL_TIME ? last[1] : last[2];
    return history.totalSteps() > last[0] && last[0] > 0 ? col * history.totalSteps() / last[0] : col;
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

  private void reset(RunHistory h, String name) {
    history = h;
    title.set(name);
    notice.set("");
    generation.set(generation.get() + 1);
    loss.clear();
    valLoss.clear();
    tokensPerS.clear();
    lr.clear();
    alarms.clear();
    health.clear();
    healthCaption.set("");
    heatmap.set(null);
    timeline.set(null);
    layers.clear();
    timelineLayer.set(null);
    thresholds.set(h.thresholds());
    totalSteps.set(h.totalSteps());
    loadCount.set(0);
    loadIndex.set(0);
    domain.set(ALL_DOMAINS);
  }

  private void detach() {
    if (tail != null) {
      tail.close();
      tail = null;
    }
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
    if (throttle != null) {
      throttle.close();
      throttle = null;
    }
  }

  @Override
  public void close() {
    detach();
  }

  public StringProperty titleProperty() {
    return title;
  }

  public StringProperty statusProperty() {
    return status;
  }

  /** What the dashboard must tell beside the run's own status (a refused resume, a failure's message). */
  public StringProperty noticeProperty() {
    return notice;
  }

  /**
   * Counts the times the dashboard switched to another run (or a fresh attach): views drop what they
   * drew for the previous run (a chart keeps a cleared series' old line otherwise).
   */
  public IntegerProperty generationProperty() {
    return generation;
  }

  /** One line: step, loss, best val loss, tokens/s, LR. */
  public StringProperty statsProperty() {
    return stats;
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

  /** Number of expert-load windows; the slider ranges over [0, count - 1]. */
  public IntegerProperty loadCountProperty() {
    return loadCount;
  }

  public IntegerProperty loadIndexProperty() {
    return loadIndex;
  }

  /** Follow the newest window; moving the slider back turns it off. */
  public BooleanProperty liveProperty() {
    return live;
  }

  public ObjectProperty<Heatmap> heatmapProperty() {
    return heatmap;
  }

  public ObservableList<HealthRow> health() {
    return health;
  }

  /** Alarms folded by kind and layer with counts, the most recent first. */
  public ObservableList<AlarmGroup> alarms() {
    return alarms;
  }

  /** The open run's alarm thresholds (from its config). */
  public ObjectProperty<HealthThresholds> thresholdsProperty() {
    return thresholds;
  }

  /** Which window and tokens (all or one domain) the health table shows. */
  public StringProperty healthCaptionProperty() {
    return healthCaption;
  }

  /** MoE layers of the run. */
  public ObservableList<Integer> layers() {
    return layers;
  }

  /** The layer the expert x time heat map shows. */
  public ObjectProperty<Integer> timelineLayerProperty() {
    return timelineLayer;
  }

  /** Expert x time load of the chosen layer (and domain), null before the first window. */
  public ObjectProperty<ExpertTimeline> timelineProperty() {
    return timeline;
  }

  /** Changes whenever the series would draw differently (new events, x unit, smoothing, log-y). */
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

  /** Configured steps of the run (0 when unknown). */
  public LongProperty totalStepsProperty() {
    return totalSteps;
  }

  /** {@link #ALL_DOMAINS} plus the data's domains, when it has any. */
  public ObservableList<String> domains() {
    return domains;
  }

  public StringProperty domainProperty() {
    return domain;
  }
}
