package dev.roundhouse.app.runs;

import dev.roundhouse.app.Registries;
import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.app.dashboard.DashboardViewModel;
import dev.roundhouse.app.dashboard.RunHistory;
import dev.roundhouse.app.dashboard.RunLiveness;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.run.RunDirectoryLockedException;
import dev.roundhouse.host.train.RunSession;
import dev.roundhouse.host.train.Runs;
import dev.roundhouse.host.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Runs screen: past runs from the runs folder (status, steps, best val loss); launching the
 * composed config or resuming a stopped run in-process on a background thread (never the FX thread)
 * with the dashboard following it; stopping it (the trainer writes a checkpoint, then returns).
 * One live run at a time.
 */
public final class RunsViewModel implements AutoCloseable {
  private final Registries registries;
  private final Path runsRoot;
  private final DashboardViewModel dashboard;
  private final UiExecutor ui;
  private final ObservableList<RunSummary> runs = FXCollections.observableArrayList();
  private final ObjectProperty<RunSummary> selected = new SimpleObjectProperty<>();
  private final BooleanProperty running = new SimpleBooleanProperty(false);
  private final StringProperty message = new SimpleStringProperty("");
  private Supplier<RunConfig> configSource;
  private Runnable showDashboard = () -> {};
  /** The run this app trains now (the host's run session owns its thread), or null. */
  private volatile RunSession.LiveRun live;
  private volatile Path liveDir;
  /** {@link #running} for threads other than the UI thread. */
  private volatile boolean trainingNow;
  private final Map<Path, Cached> cache = new HashMap<>();
  /**
   * Counts {@link #refresh()} calls: a background listing scanned before a refresh is stale (it may still say
   * "running" for a run that has just ended) and is dropped instead of shown over the fresh one.
   */
  private long listingEpoch;
  private final Object listingLock = new Object();
  private ScheduledExecutorService watcher;

  public RunsViewModel(Registries registries, Path runsRoot, DashboardViewModel dashboard, UiExecutor ui) {
    this.registries = registries;
    this.runsRoot = runsRoot.toAbsolutePath().normalize();
    this.dashboard = dashboard;
    this.ui = ui;
    refresh();
  }

  /** Where {@link #launch()} takes its config (the Compose screen). */
  public void setConfigSource(Supplier<RunConfig> source) {
    this.configSource = source;
  }

  /** Called (UI thread) when a run starts or is opened: shows the dashboard. */
  public void setShowDashboard(Runnable r) {
    this.showDashboard = r;
  }

  public ObservableList<RunSummary> runs() {
    return runs;
  }

  public ObjectProperty<RunSummary> selectedProperty() {
    return selected;
  }

  /** True while a run trains in this app. */
  public BooleanProperty runningProperty() {
    return running;
  }

  public StringProperty messageProperty() {
    return message;
  }

  public Path runsRoot() {
    return runsRoot;
  }

  /** Launches the composed config; refused (with the problems in {@link #messageProperty()}) if invalid. */
  public void launch() {
    RunConfig cfg;
    try {
      cfg = configSource.get();
    } catch (RuntimeException e) {
      message.set("Cannot launch: " + e.getMessage());
      return;
    }
    launch(cfg);
  }

  /** Launches {@code cfg} in a new run directory under the runs folder. */
  public void launch(RunConfig cfg) {
    start(cfg.name(), null, (bus, shown) -> RunSession.start(cfg, registries.get(), runsRoot, bus, shown));
  }

  /** Resumes the selected (stopped) run from its newest checkpoint. */
  public void resume() {
    RunSummary s = selected.get();
    if (s == null) {
      message.set("Select a run to resume");
      return;
    }
    start(s.name(), s.dir(), (bus, shown) -> RunSession.resume(s.dir(), registries.get(), Runs.ResumeOptions.STRICT,
        bus, shown));
  }

  /** Asks the live run to stop after its current step; it writes a checkpoint first. */
  public void stop() {
    RunSession.LiveRun run = live;
    if (run != null) {
      run.stop();
    }
    if (running.get()) {
      message.set("Stopping after the current step (writing a checkpoint)...");
    }
  }

  /** Opens the selected run in the dashboard. */
  public void open() {
    RunSummary s = selected.get();
    if (s == null) {
      message.set("Select a run to open");
      return;
    }
    dashboard.openRun(s.dir());
    showDashboard.run();
  }

  /** Lists the run directories under the runs folder, newest first (on the calling thread). */
  public void refresh() {
    synchronized (listingLock) {
      listingEpoch++;
      show(scan());
    }
  }

  /**
   * Re-lists the runs folder every {@code intervalMs} on a background thread and shows changes on the UI
   * executor, so runs another process writes (the CLI) appear and advance without Refresh.
   */
  public void watch(long intervalMs) {
    if (watcher != null) {
      return;
    }
    watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "roundhouse-runs-watch");
      t.setDaemon(true);
      return t;
    });
    watcher.scheduleWithFixedDelay(() -> {
      long epoch;
      synchronized (listingLock) {
        epoch = listingEpoch;
      }
      List<RunSummary> found = scan();
      ui.execute(() -> {
        synchronized (listingLock) {
          if (epoch == listingEpoch) {
            show(found);
          }
        }
      });
    }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  private void show(List<RunSummary> found) {
    if (found.equals(runs)) {
      return;
    }
    RunSummary keep = selected.get();
    runs.setAll(found);
    if (keep != null) {
      found.stream().filter(r -> r.dir().equals(keep.dir())).findFirst().ifPresent(selected::set);
    }
  }

  /** The runs folder now (any thread): summaries of unchanged run directories come from a cache. */
  private List<RunSummary> scan() {
    List<RunSummary> found = new ArrayList<>();
    Map<Path, Cached> seen = new HashMap<>();
    if (Files.isDirectory(runsRoot)) {
      try (Stream<Path> dirs = Files.list(runsRoot)) {
        for (Path d : dirs.filter(Files::isDirectory).toList()) {
          if (Files.isRegularFile(d.resolve(RunDirectory.CONFIG_FILE))) {
            Cached c = summarize(d);
            seen.put(d, c);
            found.add(c.summary());
          }
        }
      } catch (IOException | UncheckedIOException e) {
        String why = "Cannot list " + runsRoot + ": " + e.getMessage();
        ui.execute(() -> message.set(why));
      }
    }
    synchronized (cache) {
      cache.keySet().retainAll(seen.keySet());
    }
    found.sort(Comparator.comparing(RunSummary::modified).reversed());
    return found;
  }

  /** A summary and the metrics file state it was made from. */
  private record Cached(RunSummary summary, long size, long mtime, String liveness) {}

  private Cached summarize(Path d) {
    Path m = d.resolve(RunDirectory.METRICS_FILE);
    long size = -1;
    long mtime = 0;
    String modified = "";
    try {
      mtime = Files.getLastModifiedTime(Files.exists(m) ? m : d).toMillis();
      modified = Files.getLastModifiedTime(Files.exists(m) ? m : d).toInstant().toString();
      size = Files.exists(m) ? Files.size(m) : -1;
    } catch (IOException e) {
      // leave empty: sorts last
    }
    boolean ownLive = d.equals(liveDir) && trainingNow;
    boolean otherLive = !ownLive && RunLiveness.writtenByAnotherProcess(d);
    String liveness = ownLive ? "own" : otherLive ? "other" : "";
    synchronized (cache) {
      Cached c = cache.get(d);
      if (c != null && c.size() == size && c.mtime() == mtime && c.liveness().equals(liveness)) {
        return c;
      }
    }
    Cached c;
    try {
      RunHistory h = otherLive ? RunHistory.readLive(d) : RunHistory.read(d);
      if (otherLive && !h.ended()) {
        h.markLive();
      }
      String status = ownLive ? "running" : h.status().name().toLowerCase();
      c = new Cached(new RunSummary(d.getFileName().toString(), d, status, h.lastStep(), h.totalSteps(),
          h.bestValLoss(), modified), size, mtime, liveness);
    } catch (RuntimeException e) {
      c = new Cached(new RunSummary(d.getFileName().toString(), d, "unreadable", 0, 0, null, modified), size, mtime,
          liveness);
    }
    synchronized (cache) {
      cache.put(d, c);
    }
    return c;
  }

  private void start(String name, Path resumedDir,
      java.util.function.BiFunction<EventBus, java.util.function.Consumer<Runs.Prepared>, RunSession.LiveRun> how) {
    if (running.get()) {
      message.set("A run is already training; stop it first");
      return;
    }
    running.set(true);
    trainingNow = true;
    EventBus bus = new EventBus();
    dashboard.attach(bus, name, resumedDir);
    message.set("Preparing " + name + "...");
    showDashboard.run();
    RunSession.LiveRun run = how.apply(bus, p -> {
      liveDir = p.run().directory().root();
      String summary = p.run().summary().describe();
      ui.execute(() -> {
        message.set("Training " + liveDir.getFileName() + ": " + summary);
        refresh();
      });
    });
    live = run;
    run.whenDone((outcome, error) -> ended(name, resumedDir, outcome, error));
  }

  private void ended(String name, Path resumedDir, Trainer.Outcome outcome, Throwable error) {
    boolean wasStopped = outcome != null && outcome.stopped();
    String refusal = error instanceof RunDirectoryLockedException ? error.getMessage() : null;
    String failed = error == null || refusal != null ? null
        : error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (refusal != null) {
      dashboard.runRefused(resumedDir, refusal);
    } else {
      dashboard.runEnded(wasStopped, failed);
    }
    ui.execute(() -> {
      liveDir = null;
      trainingNow = false;
      refresh();
      message.set(refusal != null ? "Resume of " + name + " refused: " + refusal
          : failed != null ? "Run " + name + " failed: " + failed
          : wasStopped ? "Stopped " + name + " (checkpoint written)" : "Finished " + name);
      running.set(false);
    });
  }

  /** Stops a live run and waits (up to 60 s) for its checkpoint. */
  @Override
  public void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
    stop();
    RunSession.LiveRun run = live;
    if (run != null) {
      // the run's own failure is reported in the dashboard; a run still checkpointing is left to finish
      run.awaitEnd(60_000);
    }
  }
}
