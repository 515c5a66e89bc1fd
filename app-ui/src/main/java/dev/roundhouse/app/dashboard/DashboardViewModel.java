package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Dashboard of one live or finished run: where its events come from (a live run's {@link EventBus}, a
 * run directory, a run another process writes), its header (title, status, notice, stats line), its
 * alarms and thresholds; the charts' series are in {@link #charts()}, the expert-load windows, heat maps
 * and health table in {@link #cursor()}. A live run's events arrive through an {@link EventThrottle} (at
 * most one UI update per {@value #THROTTLE_MS} ms).
 */
public final class DashboardViewModel implements AutoCloseable {
  /** Longest gap between UI updates while a run streams events. */
  public static final long THROTTLE_MS = 150;
  /** How often a run written by another process is polled for new metrics lines. */
  public static final long TAIL_MS = 500;
  /** Title shown before any run is opened. */
  public static final String NO_RUN = "No run open: launch one from Compose or open one from Runs";

  private final UiExecutor ui;
  private RunHistory history = new RunHistory();
  private EventThrottle throttle;
  private EventBus.Subscription subscription;
  private RunTail tail;

  private final DashboardCharts charts = new DashboardCharts(() -> history);
  private final ExpertLoadCursor cursor = new ExpertLoadCursor(() -> history);
  private final StringProperty title = new SimpleStringProperty(NO_RUN);
  private final StringProperty status = new SimpleStringProperty("");
  private final StringProperty stats = new SimpleStringProperty("");
  private final StringProperty notice = new SimpleStringProperty("");
  private final IntegerProperty generation = new SimpleIntegerProperty(0);
  private final ObservableList<AlarmGroup> alarms = FXCollections.observableArrayList();
  private final ObjectProperty<HealthThresholds> thresholds = new SimpleObjectProperty<>(HealthThresholds.of(null));
  private final LongProperty totalSteps = new SimpleLongProperty(0);

  public DashboardViewModel(UiExecutor ui) {
    this.ui = ui;
    cursor.domainProperty().addListener(o -> charts.healthDomainProperty().set(cursor.chosenDomain()));
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
    cursor.liveProperty().set(true);
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
    cursor.liveProperty().set(true);
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
    charts.appendFrom(lossBefore, valBefore);
    showRun(before);
  }

  private void refreshAll() {
    charts.clear();
    charts.appendFrom(0, 0);
    showRun(0);
  }

  private void showRun(int loadsBefore) {
    alarms.setAll(history.alarmGroups());
    thresholds.set(history.thresholds());
    totalSteps.set(history.totalSteps());
    cursor.update(loadsBefore);
    updateStatus();
    charts.changed();
  }

  private void updateStatus() {
    status.set(history.status().name().toLowerCase());
    stats.set(RunStats.line(history));
  }

  /** Moves the time cursor (load window, heat map, health table) to the window of {@code step}; leaves live mode. */
  public void jumpToStep(long step) {
    cursor.jumpToStep(step);
  }

  private void reset(RunHistory h, String name) {
    history = h;
    title.set(name);
    notice.set("");
    generation.set(generation.get() + 1);
    charts.clear();
    cursor.clear();
    alarms.clear();
    thresholds.set(h.thresholds());
    totalSteps.set(h.totalSteps());
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

  /** The series the charts draw, their x unit, smoothing, log-y and zoom. */
  public DashboardCharts charts() {
    return charts;
  }

  /** The expert-load time cursor: window, heat maps, health table, domain. */
  public ExpertLoadCursor cursor() {
    return cursor;
  }

  /** The run's name, or {@link #NO_RUN}. */
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

  /** One line: step, loss, best val loss, tokens/s, LR, elapsed, ETA, peak RSS. */
  public StringProperty statsProperty() {
    return stats;
  }

  /** Alarms folded by kind and layer with counts, the most recent first. */
  public ObservableList<AlarmGroup> alarms() {
    return alarms;
  }

  /** The open run's alarm thresholds (from its config). */
  public ObjectProperty<HealthThresholds> thresholdsProperty() {
    return thresholds;
  }

  /** Configured steps of the run (0 when unknown). */
  public LongProperty totalStepsProperty() {
    return totalSteps;
  }
}
