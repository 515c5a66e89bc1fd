package dev.roundhouse.app;

import dev.roundhouse.app.AppViewModel.Screen;
import dev.roundhouse.app.compare.CompareView;
import dev.roundhouse.app.compose.ComposeView;
import dev.roundhouse.app.dashboard.DashboardView;
import dev.roundhouse.app.plugins.PluginsView;
import dev.roundhouse.app.runs.RunsView;
import dev.roundhouse.app.sweep.SweepView;
import java.util.EnumMap;
import java.util.Map;
import javafx.scene.Parent;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;

/** The main window: one tab per screen, selected from {@link AppViewModel#screenProperty()}. */
public final class MainView {
  private final TabPane tabs = new TabPane();
  private final Map<Screen, Tab> byScreen = new EnumMap<>(Screen.class);
  private final DashboardView dashboard;
  private final javafx.beans.binding.StringBinding windowTitle;

  public MainView(AppViewModel vm) {
    dashboard = new DashboardView(vm.dashboard());
    var d = vm.dashboard();
    windowTitle = javafx.beans.binding.Bindings.createStringBinding(
        () -> d.generationProperty().get() == 0 ? "Roundhouse"
            : "Roundhouse - " + d.titleProperty().get()
                + (d.statusProperty().get().isEmpty() ? "" : " [" + d.statusProperty().get() + "]"),
        d.generationProperty(), d.titleProperty(), d.statusProperty());
    add(Screen.RUNS, "Runs", new RunsView(vm.runs()).root());
    add(Screen.DASHBOARD, "Dashboard", dashboard.root());
    add(Screen.PLUGINS, "Plugins", new PluginsView(vm.plugins()).root());
    add(Screen.COMPOSE, "Compose", new ComposeView(vm.compose(), vm.runs()::launch).root());
    add(Screen.COMPARE, "Compare", new CompareView(vm.compare()).root());
    add(Screen.SWEEP, "Sweep", new SweepView(vm.sweep()).root());
    tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
    tabs.setId("mainTabs");
    vm.screenProperty().addListener((o, a, b) -> tabs.getSelectionModel().select(byScreen.get(b)));
    tabs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> byScreen.forEach((s, t) -> {
      if (t == b) {
        vm.screenProperty().set(s);
      }
    }));
  }

  private void add(Screen s, String title, Parent content) {
    Tab t = new Tab(title, content);
    t.setId("tab-" + s.name().toLowerCase());
    byScreen.put(s, t);
    tabs.getTabs().add(t);
  }

  public Parent root() {
    return tabs;
  }

  /** The window's title: "Roundhouse" with no run open, else "Roundhouse - run [status]". */
  public javafx.beans.binding.StringBinding windowTitle() {
    return windowTitle;
  }

  public DashboardView dashboard() {
    return dashboard;
  }

  /** The app's style sheet (alarm colours, form errors). */
  public static String stylesheet() {
    return MainView.class.getResource("app.css").toExternalForm();
  }
}
