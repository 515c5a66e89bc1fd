package dev.roundhouse.app;

import dev.roundhouse.app.compare.CompareViewModel;
import dev.roundhouse.app.compose.ComposeViewModel;
import dev.roundhouse.app.dashboard.DashboardViewModel;
import dev.roundhouse.app.plugins.PluginsViewModel;
import dev.roundhouse.app.runs.RunsViewModel;
import dev.roundhouse.app.sweep.SweepViewModel;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The app's root ViewModel: the plugins folder and runs folder it works on, and one ViewModel per
 * screen, wired together (compose -> runs -> dashboard, runs -> compare, sweep -> compare).
 */
public final class AppViewModel implements AutoCloseable {
  /** The screens, in tab order. */
  public enum Screen { RUNS, DASHBOARD, PLUGINS, COMPOSE, COMPARE, SWEEP }

  /** How often the runs folder is re-listed for runs written elsewhere (the CLI). */
  public static final long RUNS_POLL_MS = 1000;

  private final Registries registries;
  private final PluginsViewModel plugins;
  private final ComposeViewModel compose;
  private final DashboardViewModel dashboard;
  private final RunsViewModel runs;
  private final CompareViewModel compare;
  private final SweepViewModel sweep;
  private final ObjectProperty<Screen> screen = new SimpleObjectProperty<>(Screen.RUNS);

  public AppViewModel(Path pluginsDir, Path runsRoot, UiExecutor ui) {
    registries = new Registries(pluginsDir);
    dashboard = new DashboardViewModel(ui);
    runs = new RunsViewModel(registries, runsRoot, dashboard, ui);
    plugins = new PluginsViewModel(registries, () -> !runs.runningProperty().get(), ui);
    compose = new ComposeViewModel(registries);
    compare = new CompareViewModel(runs.runs());
    sweep = new SweepViewModel(compare, () -> screen.set(Screen.COMPARE), ui);
    runs.setConfigSource(compose::validConfig);
    runs.setShowDashboard(() -> screen.set(Screen.DASHBOARD));
    runs.watch(RUNS_POLL_MS);
  }

  /** Plugins from {@code roundhouse.plugins.dir} (else the host default), runs in {@code roundhouse.runs.dir}. */
  public static AppViewModel fromSystemProperties(UiExecutor ui) {
    String p = System.getProperty("roundhouse.plugins.dir");
    String r = System.getProperty("roundhouse.runs.dir", "runs");
    return new AppViewModel(p == null ? PluginRegistry.defaultPluginsDir() : Path.of(p), Path.of(r), ui);
  }

  public PluginsViewModel plugins() {
    return plugins;
  }

  public ComposeViewModel compose() {
    return compose;
  }

  public RunsViewModel runs() {
    return runs;
  }

  public DashboardViewModel dashboard() {
    return dashboard;
  }

  public CompareViewModel compare() {
    return compare;
  }

  public SweepViewModel sweep() {
    return sweep;
  }

  /** The screen the app wants shown; views select their tab from it. */
  public ObjectProperty<Screen> screenProperty() {
    return screen;
  }

  /** Opens a finished (or stopped) run directory in the dashboard. */
  public void openRun(Path runDir) {
    dashboard.openRun(runDir);
    screen.set(Screen.DASHBOARD);
  }

  /** Stops a live run (it writes its checkpoint) and closes the plugins. */
  @Override
  public void close() {
    sweep.close();
    runs.close();
    dashboard.close();
    registries.close();
  }
}
