package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.BooleanProperty;
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
  /** Domain choice meaning all tokens. */
  public static final String ALL_DOMAINS = "all tokens";

  private final UiExecutor ui;
  private RunHistory history = new RunHistory();
  private EventThrottle throttle;
  private EventBus.Subscription subscription;

  private final StringProperty title = new SimpleStringProperty("No run open");
  private final StringProperty status = new SimpleStringProperty("");
  private final StringProperty stats = new SimpleStringProperty("");
  private final ObservableList<XYChart.Data<Number, Number>> loss = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> valLoss = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> tokensPerS = FXCollections.observableArrayList();
  private final ObservableList<XYChart.Data<Number, Number>> lr = FXCollections.observableArrayList();
  private final IntegerProperty loadCount = new SimpleIntegerProperty(0);
  private final IntegerProperty loadIndex = new SimpleIntegerProperty(0);
  private final BooleanProperty live = new SimpleBooleanProperty(true);
  private final ObjectProperty<Heatmap> heatmap = new SimpleObjectProperty<>();
  private final ObservableList<HealthRow> health = FXCollections.observableArrayList();
  private final ObservableList<String> alarms = FXCollections.observableArrayList();
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
    });
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
      status.set(failure != null ? "failed: " + failure : history.status().name().toLowerCase());
      if (throttle == t) {
        detach();
      }
    });
  }

  /** Shows a run directory's recorded metrics. */
  public void openRun(Path runDir) {
    detach();
    RunHistory h;
    try {
      h = RunHistory.read(runDir);
    } catch (RuntimeException e) {
      reset(new RunHistory(), runDir.getFileName().toString());
      status.set("cannot read: " + e.getMessage());
      return;
    }
    reset(h, runDir.getFileName().toString());
    live.set(true);
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
    alarms.setAll(history.alarms());
    updateLoads(before);
    updateStatus();
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
    alarms.setAll(history.alarms());
    updateLoads(0);
    updateStatus();
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
        + "   loss " + last + "   best val " + val + "   tokens/s " + tps + "   lr " + rate
        + (history.peakRssBytes() == null ? "" : String.format("   peak RSS %.2f GB", history.peakRssBytes() / 1e9)));
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
    health.setAll(history.health(i, ""));
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
    loss.clear();
    valLoss.clear();
    tokensPerS.clear();
    lr.clear();
    alarms.clear();
    health.clear();
    heatmap.set(null);
    loadCount.set(0);
    loadIndex.set(0);
    domain.set(ALL_DOMAINS);
  }

  private void detach() {
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

  public ObservableList<String> alarms() {
    return alarms;
  }

  /** {@link #ALL_DOMAINS} plus the data's domains, when it has any. */
  public ObservableList<String> domains() {
    return domains;
  }

  public StringProperty domainProperty() {
    return domain;
  }
}
