package dev.roundhouse.app.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.app.dashboard.HealthRow;
import dev.roundhouse.app.dashboard.RunHistory;
import dev.roundhouse.app.runs.RunSummary;
import dev.roundhouse.host.sweep.SweepFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;

/**
 * The Compare screen: two or more recorded runs overlaid, one colour per run: train loss solid and val loss
 * dashed, a router health metric of one MoE layer over time, the aux / z losses; the config fields that differ
 * (the legend); each run's last router health side by side. The runs to choose from are the Runs screen's
 * plus the trials of any sweep folder opened here or compared from the Sweep screen. UI thread only.
 */
public final class CompareViewModel {
  /** The health metrics the health chart can show. */
  public static final List<String> HEALTH_METRICS = List.of(RunHistory.CV, RunHistory.ENTROPY, RunHistory.MAX_LOAD,
      RunHistory.MAXVIO, RunHistory.DEAD);
  private static final List<String> AUX_DASHES = List.of("", "2 3", "8 3 2 3", "1 2");

  private final ObservableList<RunSummary> available;
  private final ObservableList<RunSummary> sweepRuns = FXCollections.observableArrayList();
  private final ObservableList<RunSummary> candidates = FXCollections.observableArrayList();
  private final ObservableList<RunSummary> compared = FXCollections.observableArrayList();
  private final List<RunHistory> histories = new ArrayList<>();
  private final ObservableList<HealthRow> finalHealth = FXCollections.observableArrayList();
  private final ObservableList<String> configDiff = FXCollections.observableArrayList();
  private final ObservableList<Integer> layers = FXCollections.observableArrayList();
  private final ObjectProperty<Integer> healthLayer = new SimpleObjectProperty<>();
  private final StringProperty healthMetric = new SimpleStringProperty(RunHistory.CV);
  private final IntegerProperty revision = new SimpleIntegerProperty(0);
  private final StringProperty message = new SimpleStringProperty("Select two or more runs and press Compare");

  /** {@code available}: the runs list of the Runs screen. */
  public CompareViewModel(ObservableList<RunSummary> available) {
    this.available = available;
    available.addListener((ListChangeListener<RunSummary>) c -> refreshCandidates());
    sweepRuns.addListener((ListChangeListener<RunSummary>) c -> refreshCandidates());
    refreshCandidates();
    healthLayer.addListener(o -> changed());
    healthMetric.addListener(o -> changed());
  }

  /** The Runs screen's runs. */
  public ObservableList<RunSummary> available() {
    return available;
  }

  /** What the runs list offers: the Runs screen's runs, then the trials of the sweeps opened or compared here. */
  public ObservableList<RunSummary> candidates() {
    return candidates;
  }

  /** The runs of the last comparison, in their colour order. */
  public ObservableList<RunSummary> compared() {
    return compared;
  }

  /**
   * Adds the trials of sweep folder {@code dir} (its sweep.json, as the host reads it) to the runs to choose
   * from; trials that have not started (no run directory) are left out. Returns them.
   */
  public List<RunSummary> openSweep(Path dir) {
    List<RunSummary> trials = new ArrayList<>();
    try {
      SweepFolder sweep = SweepFolder.open(dir);
      for (JsonNode t : sweep.trials()) {
        String id = t.path("id").asText();
        Path runDir = dir.resolve(t.path("dir").asText(id));
        if (Files.isDirectory(runDir)) {
          trials.add(new RunSummary(sweep.id() + "/" + id, runDir, sweep.state(id).status().label(),
              sweep.state(id).step(), 0, null, ""));
        }
      }
    } catch (RuntimeException e) {
      message.set("Cannot open sweep " + dir + ": " + e.getMessage());
      return List.of();
    }
    addSweepRuns(trials);
    message.set(dir.getFileName() + ": " + trials.size() + " trial run(s) added to the list; select and compare");
    return trials;
  }

  private void addSweepRuns(List<RunSummary> runs) {
    for (RunSummary r : runs) {
      boolean known = available.stream().anyMatch(a -> a.dir().equals(r.dir()))
          || sweepRuns.stream().anyMatch(a -> a.dir().equals(r.dir()));
      if (!known) {
        sweepRuns.add(r);
      }
    }
  }

  private void refreshCandidates() {
    List<RunSummary> all = new ArrayList<>(available);
    all.addAll(sweepRuns);
    candidates.setAll(all);
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

  /** MoE layers of the compared runs. */
  public ObservableList<Integer> layers() {
    return layers;
  }

  /** The MoE layer the health chart shows. */
  public ObjectProperty<Integer> healthLayerProperty() {
    return healthLayer;
  }

  /** One of {@link #HEALTH_METRICS}. */
  public StringProperty healthMetricProperty() {
    return healthMetric;
  }

  /** Changes whenever the curves would draw differently. */
  public IntegerProperty revisionProperty() {
    return revision;
  }

  /** The colour of compared run {@code name}, null when it is not compared. */
  public String colourOf(String name) {
    for (int i = 0; i < compared.size(); i++) {
      if (compared.get(i).name().equals(name)) {
        return RunColours.of(i);
      }
    }
    return null;
  }

  /** Loads the chosen runs' metrics and replaces the curves, the config diff and the health table. */
  public void compare(List<RunSummary> chosen) {
    List<RunSummary> picked = List.copyOf(chosen); // may be a list selection, which the candidates change clears
    List<RunSummary> read = new ArrayList<>();
    List<HealthRow> rows = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    List<JsonNode> configs = new ArrayList<>();
    histories.clear();
    TreeSet<Integer> ls = new TreeSet<>();
    addSweepRuns(picked);
    for (RunSummary r : picked) {
      RunHistory h;
      try {
        h = RunHistory.read(r.dir());
      } catch (RuntimeException e) {
        unreadable.add(r.name() + " (" + e.getMessage() + ")");
        continue;
      }
      read.add(r);
      histories.add(h);
      configs.add(h.config());
      ls.addAll(h.layers());
      if (h.loadCount() > 0) {
        rows.addAll(h.health(h.loadCount() - 1, r.name()));
      }
    }
    compared.setAll(read);
    finalHealth.setAll(rows);
    layers.setAll(ls);
    if (healthLayer.get() == null || !ls.contains(healthLayer.get())) {
      healthLayer.set(ls.isEmpty() ? null : ls.first());
    }
    List<String> diff = new ArrayList<>();
    if (read.size() > 1) {
      List<List<String>> d = ConfigDiff.of(configs);
      for (int i = 0; i < read.size(); i++) {
        diff.add(read.get(i).name() + ": " + (d.get(i).isEmpty() ? "same config" : String.join(", ", d.get(i))));
      }
    }
    configDiff.setAll(diff);
    message.set("Comparing " + read.size() + " run(s)"
        + (unreadable.isEmpty() ? "" : "; unreadable: " + String.join(", ", unreadable)));
    changed();
  }

  /** Per compared run, in its colour: "NAME loss" (solid) and, when it evaluated, "NAME val" (dashed). */
  public List<CompareCurve> lossCurves() {
    List<CompareCurve> out = new ArrayList<>();
    for (int i = 0; i < histories.size(); i++) {
      String name = compared.get(i).name();
      out.add(new CompareCurve(name, name + " loss", RunColours.of(i), "", thin(histories.get(i).loss())));
      if (!histories.get(i).valLoss().isEmpty()) {
        out.add(new CompareCurve(name, name + " val", RunColours.of(i), CompareCurve.VAL_DASH,
            histories.get(i).valLoss()));
      }
    }
    return out;
  }

  /** Per compared run that logged it: the chosen health metric of the chosen layer over time. */
  public List<CompareCurve> healthCurves() {
    List<CompareCurve> out = new ArrayList<>();
    Integer layer = healthLayer.get();
    if (layer == null) {
      return out;
    }
    String metric = "layer " + layer + " " + healthMetric.get();
    for (int i = 0; i < histories.size(); i++) {
      List<double[]> pts = histories.get(i).metrics().get(metric);
      if (pts != null && !pts.isEmpty()) {
        String name = compared.get(i).name();
        out.add(new CompareCurve(name, name + " " + metric, RunColours.of(i), "", thin(pts)));
      }
    }
    return out;
  }

  /** Per compared run, each aux / z loss it logged (x its coefficient), one dash per loss name. */
  public List<CompareCurve> auxCurves() {
    List<String> names = new ArrayList<>();
    for (RunHistory h : histories) {
      h.metrics().keySet().stream().filter(k -> k.startsWith("aux ") && !names.contains(k)).forEach(names::add);
    }
    List<CompareCurve> out = new ArrayList<>();
    for (int i = 0; i < histories.size(); i++) {
      Map<String, List<double[]>> m = histories.get(i).metrics();
      for (int k = 0; k < names.size(); k++) {
        List<double[]> pts = m.get(names.get(k));
        if (pts != null && !pts.isEmpty()) {
          String name = compared.get(i).name();
          out.add(new CompareCurve(name, name + " " + names.get(k).substring(4), RunColours.of(i),
              AUX_DASHES.get(k % AUX_DASHES.size()), thin(pts)));
        }
      }
    }
    return out;
  }

  private void changed() {
    revision.set(revision.get() + 1);
  }

  private static List<double[]> thin(List<double[]> pts) {
    int stride = Math.max(1, pts.size() / 1000);
    if (stride == 1) {
      return pts;
    }
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i < pts.size(); i += stride) {
      out.add(pts.get(i));
    }
    return out;
  }
}
