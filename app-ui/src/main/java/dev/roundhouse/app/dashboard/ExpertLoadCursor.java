package dev.roundhouse.app.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
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

/**
 * The dashboard's time cursor over the open run's expert-load windows: which window the layer x expert heat
 * map and the router health table show ({@link #loadIndexProperty()}, following the newest in {@link
 * #liveProperty() live} mode), the expert x time heat map of a chosen layer, and the tokens (all, or one
 * data domain) both follow. UI thread only.
 */
public final class ExpertLoadCursor {
  /** Domain choice meaning all tokens. */
  public static final String ALL_DOMAINS = "all tokens";

  private final Supplier<RunHistory> history;
  private final IntegerProperty loadCount = new SimpleIntegerProperty(0);
  private final IntegerProperty loadIndex = new SimpleIntegerProperty(0);
  private final BooleanProperty live = new SimpleBooleanProperty(true);
  private final ObjectProperty<Heatmap> heatmap = new SimpleObjectProperty<>();
  private final ObservableList<HealthRow> health = FXCollections.observableArrayList();
  private final StringProperty healthCaption = new SimpleStringProperty("");
  private final ObservableList<Integer> layers = FXCollections.observableArrayList();
  private final ObjectProperty<Integer> timelineLayer = new SimpleObjectProperty<>();
  private final ObjectProperty<ExpertTimeline> timeline = new SimpleObjectProperty<>();
  private final ObservableList<String> domains = FXCollections.observableArrayList(ALL_DOMAINS);
  private final StringProperty domain = new SimpleStringProperty(ALL_DOMAINS);

  /** {@code history}: the open run's history (replaced when another run opens). */
  ExpertLoadCursor(Supplier<RunHistory> history) {
    this.history = history;
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
  }

  /** Another run opened: no windows, all tokens, live. */
  void clear() {
    health.clear();
    healthCaption.set("");
    heatmap.set(null);
    timeline.set(null);
    layers.clear();
    timelineLayer.set(null);
    loadCount.set(0);
    loadIndex.set(0);
    domain.set(ALL_DOMAINS);
  }

  /** The run logged more windows ({@code before}: how many there were); live mode moves to the newest. */
  void update(int before) {
    RunHistory h = history.get();
    List<String> d = new ArrayList<>(List.of(ALL_DOMAINS));
    d.addAll(h.domains());
    if (!d.equals(domains)) {
      domains.setAll(d);
    }
    int n = h.loadCount();
    if (n == before && before > 0) {
      return;
    }
    List<Integer> ls = h.layers();
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

  /** The chosen domain, null for all tokens. */
  String chosenDomain() {
    return ALL_DOMAINS.equals(domain.get()) ? null : domain.get();
  }

  private void showLoad() {
    RunHistory h = history.get();
    int i = loadIndex.get();
    if (i < 0 || i >= h.loadCount()) {
      heatmap.set(null);
      health.clear();
      return;
    }
    String d = chosenDomain();
    heatmap.set(h.heatmap(i, d));
    health.setAll(h.health(i, "", d));
    healthCaption.set("Router health at step " + h.loadStep(i) + " (window " + (i + 1) + " of "
        + h.loadCount() + "), " + (d == null ? "all tokens" : "domain " + d));
  }

  private void showTimeline() {
    Integer layer = timelineLayer.get();
    timeline.set(layer == null || history.get().loadCount() == 0 ? null : history.get().timeline(layer, chosenDomain()));
  }

  /** Moves the cursor (load window, heat map, health table) to the window of {@code step}; leaves live mode. */
  public void jumpToStep(long step) {
    if (history.get().loadCount() == 0) {
      return;
    }
    live.set(false);
    loadIndex.set(history.get().loadIndexAt(step));
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

  /** {@link #ALL_DOMAINS} plus the data's domains, when it has any. */
  public ObservableList<String> domains() {
    return domains;
  }

  public StringProperty domainProperty() {
    return domain;
  }
}
