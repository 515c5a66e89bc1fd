package dev.roundhouse.app.compare;

import dev.roundhouse.app.dashboard.HealthRow;
import dev.roundhouse.app.dashboard.RunHistory;
import dev.roundhouse.app.runs.RunSummary;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.chart.XYChart;

/**
 * The Compare screen: two or more recorded runs' loss and val-loss curves overlaid, and the router
 * health of each run's last expert-load window side by side.
 */
public final class CompareViewModel {
  private final ObservableList<RunSummary> available;
  private final ObservableList<XYChart.Series<Number, Number>> series = FXCollections.observableArrayList();
  private final ObservableList<HealthRow> finalHealth = FXCollections.observableArrayList();
  private final ObservableList<String> configDiff = FXCollections.observableArrayList();
  private final StringProperty message = new SimpleStringProperty("Select two or more runs and press Compare");

  /** {@code available}: the runs list of the Runs screen. */
  public CompareViewModel(ObservableList<RunSummary> available) {
    this.available = available;
  }

  public ObservableList<RunSummary> available() {
    return available;
  }

  /** One "name loss" and one "name val" series per compared run. */
  public ObservableList<XYChart.Series<Number, Number>> series() {
    return series;
  }

  /** Per compared run: "name: path=value, ..." for the config fields that differ between the runs. */
  public ObservableList<String> configDiff() {
    return configDiff;
  }

  public ObservableList<HealthRow> finalHealth() {
    return finalHealth;
  }

  public StringProperty messageProperty() {
    return message;
  }

  /** Loads the chosen runs' metrics and replaces the curves and the health table. */
  public void compare(List<RunSummary> chosen) {
    List<XYChart.Series<Number, Number>> out = new ArrayList<>();
    List<HealthRow> rows = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<com.fasterxml.jackson.databind.JsonNode> configs = new ArrayList<>();
    for (RunSummary r : chosen) {
      RunHistory h;
      try {
        h = RunHistory.read(r.dir());
      } catch (RuntimeException e) {
        unreadable.add(r.name() + " (" + e.getMessage() + ")");
        continue;
      }
      names.add(r.name());
      configs.add(h.config());
      out.add(series(r.name() + " loss", h.loss()));
      if (!h.valLoss().isEmpty()) {
        out.add(series(r.name() + " val", h.valLoss()));
      }
      if (h.loadCount() > 0) {
        rows.addAll(h.health(h.loadCount() - 1, r.name()));
      }
    }
    series.setAll(out);
    finalHealth.setAll(rows);
    List<String> diff = new ArrayList<>();
    if (names.size() > 1) {
      List<List<String>> d = ConfigDiff.of(configs);
      for (int i = 0; i < names.size(); i++) {
        diff.add(names.get(i) + ": " + (d.get(i).isEmpty() ? "same config" : String.join(", ", d.get(i))));
      }
    }
    configDiff.setAll(diff);
    message.set("Comparing " + (chosen.size() - unreadable.size()) + " run(s)"
        + (unreadable.isEmpty() ? "" : "; unreadable: " + String.join(", ", unreadable)));
  }

  private static XYChart.Series<Number, Number> series(String name, List<double[]> pts) {
    XYChart.Series<Number, Number> s = new XYChart.Series<>();
    s.setName(name);
    int stride = Math.max(1, pts.size() / 1000);
    for (int i = 0; i < pts.size(); i += stride) {
      s.getData().add(new XYChart.Data<>(pts.get(i)[0], pts.get(i)[1]));
    }
    return s;
  }
}
