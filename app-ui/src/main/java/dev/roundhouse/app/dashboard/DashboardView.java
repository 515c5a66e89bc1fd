package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.StatusText;
import dev.roundhouse.app.Tables;
import dev.roundhouse.app.dashboard.HealthThresholds.Level;
import dev.roundhouse.app.dashboard.MetricChart.Line;
import dev.roundhouse.app.dashboard.MetricChart.Threshold;
import dev.roundhouse.app.export.PngExport;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.chart.LineChart;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.util.Duration;

/**
 * Dashboard screen. Left: header (status, notice, step / loss / elapsed / ETA), chart controls (x in
 * steps, tokens or wall time; smoothing; log-y; reset zoom) and chart tabs, all zoomed together (drag a
 * range, wheel, double click): loss (eval markers), throughput and LR; training (grad norm, aux losses,
 * step time, val bits per byte); router health over time per layer for the chosen tokens (all or one
 * domain) with the run's alarm thresholds as dashed lines. Right: expert load as a layer x expert snapshot (step
 * slider, live mode) or an expert x time heat map per layer; the router health table of the chosen
 * window and domain; alarms grouped by kind and layer (a click moves the time cursor to the step).
 */
public final class DashboardView {
  /** Longest delay between new data and the charts showing it. */
  public static final long REDRAW_MS = 300;
  private final HBox root = new HBox(10);
  private final DashboardViewModel vm;
  private final HeatmapCanvas heatmap = new HeatmapCanvas();
  private final ExpertTimelineCanvas timeline = new ExpertTimelineCanvas();
  private final TableView<HealthRow> health;
  private final TableView<AlarmGroup> alarms;
  private final List<List<MetricChart>> chartTabs = new ArrayList<>();
  private final TabPane chartPane = new TabPane();
  private final MetricChart lossChart;
  private final MetricChart tokensChart;
  private final MetricChart lrChart;
  private final ComboBox<Integer> healthLayer = new ComboBox<>();

  public DashboardView(DashboardViewModel vm) {
    this.vm = vm;
    root.setPadding(new Insets(10));

    // header
    Label title = new Label();
    title.setId("dashTitle");
    title.getStyleClass().add("section-title");
    title.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
        () -> vm.statusProperty().get().isEmpty() ? vm.titleProperty().get()
            : vm.titleProperty().get() + "  [" + vm.statusProperty().get() + "]",
        vm.titleProperty(), vm.statusProperty()));
    StatusText.withTooltip(title);
    Label notice = new Label();
    notice.setId("dashNotice");
    notice.setWrapText(true);
    notice.getStyleClass().add("problem");
    notice.textProperty().bind(vm.noticeProperty());
    notice.visibleProperty().bind(vm.noticeProperty().isNotEmpty());
    notice.managedProperty().bind(notice.visibleProperty());
    StatusText.withTooltip(notice);
    Label stats = new Label();
    stats.setId("dashStats");
    stats.getStyleClass().add("stats");
    stats.setWrapText(true); // a narrow window wraps the line instead of cutting off peak RSS
    // a VBox gives a wrapping label only its one-line minimum height unless the minimum is its wrapped height
    stats.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
    stats.textProperty().bind(vm.statsProperty());
    StatusText.withTooltip(stats);

    // chart controls
    ComboBox<SeriesMath.XMode> xMode = new ComboBox<>();
    xMode.setId("xMode");
    xMode.getItems().setAll(SeriesMath.XMode.values());
    xMode.valueProperty().bindBidirectional(vm.charts().xModeProperty());
    Slider smooth = new Slider(0, 0.99, 0);
    smooth.setId("smoothing");
    smooth.valueProperty().bindBidirectional(vm.charts().smoothingProperty());
    smooth.setPrefWidth(120);
    Label smoothText = new Label();
    smoothText.textProperty().bind(vm.charts().smoothingProperty().asString("smoothing %.2f"));
    CheckBox logY = new CheckBox("log-y");
    logY.setId("logY");
    logY.selectedProperty().bindBidirectional(vm.charts().logYProperty());
    Button resetZoom = new Button("Reset zoom");
    resetZoom.setId("resetZoom");
    resetZoom.disableProperty().bind(vm.charts().zoomProperty().isNull());
    resetZoom.setOnAction(e -> vm.charts().resetZoom());
    resetZoom.setTooltip(new Tooltip("Drag across a chart to zoom to that range, scroll to zoom around the "
        + "pointer, double-click or press this to see the whole run"));
    HBox controls = new HBox(8, new Label("x:"), xMode, smoothText, smooth, logY, resetZoom);
    controls.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

    // chart tabs
    lossChart = new MetricChart("lossChart", "loss (nats/token)", () -> List.of(
        new Line("train loss", () -> vm.charts().series("loss", true)),
        new Line("val loss", () -> vm.charts().series("val_loss", false), true)), List.of());
    lossChart.chart().setPrefHeight(300);
    tokensChart = new MetricChart("tokensChart", "tokens/s", () -> List.of(
        new Line("tokens/s", () -> vm.charts().series("tokens_per_s", true))), List.of());
    lrChart = new MetricChart("lrChart", "learning rate", () -> List.of(
        new Line("lr", () -> vm.charts().series("lr", false))), List.of());
    addChartTab("Loss", List.of(lossChart, tokensChart, lrChart));
    addChartTab("Training", List.of(
        new MetricChart("gradNormChart", "grad norm (before clipping)", () -> List.of(
            new Line("grad norm", () -> vm.charts().series(RunHistory.GRAD_NORM, true))), List.of()),
        new MetricChart("auxChart", "aux / z losses (x coefficient)", () -> metricsStartingWith("aux ", true),
            List.of()),
        new MetricChart("stepTimeChart", "step time (ms)", () -> List.of(
            new Line("step ms", () -> vm.charts().series(RunHistory.STEP_MS, true))), List.of()),
        new MetricChart("valBpbChart", "val bits per byte", () -> List.of(
            new Line("val bpb", () -> vm.charts().series(RunHistory.VAL_BPB, false), true)), List.of())));
    healthLayer.setId("healthLayer");
    healthLayer.setItems(vm.cursor().layers());
    vm.cursor().layers().addListener((javafx.collections.ListChangeListener<Integer>) c -> {
      if (healthLayer.getValue() == null || !vm.cursor().layers().contains(healthLayer.getValue())) {
        healthLayer.setValue(vm.cursor().layers().isEmpty() ? null : vm.cursor().layers().get(0));
      }
    });
    healthLayer.valueProperty().addListener((o, a, b) -> refreshCharts());
    Supplier<HealthThresholds> limits = () -> vm.thresholdsProperty().get();
    Label healthOverTime = new Label();
    healthOverTime.setId("healthOverTimeCaption");
    healthOverTime.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
        () -> "Router health over time: " + vm.charts().healthLabel(healthLayer.getValue())
            + " (the tokens choice on the right; the bias range is over all tokens)",
        healthLayer.valueProperty(), vm.charts().healthDomainProperty()));
    healthOverTime.setWrapText(true);
    healthOverTime.getStyleClass().add("hint");
    addChartTab("Router health", healthOverTime, List.of(
        layerChart("cvChart", "cv_pct", RunHistory.CV, List.of(
            new Threshold("alarm: cv_pct > cvPctMax", () -> limits.get().cvPctMax()))),
        layerChart("entropyChart", "entropy_norm", RunHistory.ENTROPY, List.of(
            new Threshold("alarm: entropy_norm < entropyNormMin", () -> limits.get().entropyNormMin()))),
        layerChart("maxLoadChart", "max_load_frac", RunHistory.MAX_LOAD, List.of(
            new Threshold("alarm: max_load_pinned", () -> limits.get().maxLoadPinned()))),
        layerChart("maxVioChart", "maxvio", RunHistory.MAXVIO, List.of()),
        layerChart("deadChart", "dead experts (window)", RunHistory.DEAD, List.of()),
        new MetricChart("biasChart", "expert bias range (all tokens)", () -> {
          Integer l = healthLayer.getValue();
          return l == null ? List.of() : List.of(
              new Line("bias min", () -> vm.charts().series("layer " + l + " " + RunHistory.BIAS_MIN, false)),
              new Line("bias max", () -> vm.charts().series("layer " + l + " " + RunHistory.BIAS_MAX, false)));
        }, List.of())));
    chartPane.setId("chartTabs");
    chartPane.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> refreshCharts());
    VBox.setVgrow(chartPane, Priority.ALWAYS);
    // a streaming run bumps the revision up to ~7 times a second: redraw at most every REDRAW_MS
    javafx.animation.PauseTransition redraw = new javafx.animation.PauseTransition(Duration.millis(REDRAW_MS));
    redraw.setOnFinished(e -> refreshCharts());
    vm.charts().revisionProperty().addListener((o, a, b) -> {
      if (redraw.getStatus() != javafx.animation.Animation.Status.RUNNING) {
        redraw.playFromStart();
      }
    });
    vm.generationProperty().addListener((o, a, b) -> refreshCharts()); // another run: at once, no stale lines

    Button exportCharts = new Button("Export charts PNG...");
    exportCharts.setId("exportCharts");
    exportCharts.setOnAction(e -> export(chartPane.getSelectionModel().getSelectedItem().getContent(), "charts.png"));
    VBox left = new VBox(6, title, notice, stats, controls, chartPane, exportCharts);
    HBox.setHgrow(left, Priority.ALWAYS);
    left.setPrefWidth(600);
    left.setMinWidth(380);

    // expert load: snapshot and over time
    heatmap.setId("heatmap");
    vm.cursor().heatmapProperty().addListener((o, a, b) -> heatmap.show(b));
    heatmap.show(vm.cursor().heatmapProperty().get());
    Slider slider = new Slider(0, 0, 0);
    slider.setId("loadSlider");
    slider.setMajorTickUnit(1);
    slider.setMinorTickCount(0);
    slider.setSnapToTicks(true);
    slider.setBlockIncrement(1);
    HBox.setHgrow(slider, Priority.ALWAYS);
    vm.cursor().loadCountProperty().addListener((o, a, b) -> slider.setMax(Math.max(0, b.intValue() - 1)));
    slider.setMax(Math.max(0, vm.cursor().loadCountProperty().get() - 1));
    slider.valueProperty().addListener((o, a, b) -> {
      int i = (int) Math.round(b.doubleValue());
      if (i != vm.cursor().loadIndexProperty().get()) {
        vm.cursor().loadIndexProperty().set(i);
      }
    });
    vm.cursor().loadIndexProperty().addListener((o, a, b) -> slider.setValue(b.intValue()));
    CheckBox live = new CheckBox("live");
    live.setId("liveToggle");
    live.selectedProperty().bindBidirectional(vm.cursor().liveProperty());
    Label window = new Label();
    window.textProperty().bind(vm.cursor().loadIndexProperty().add(1).asString("window %d of ")
        .concat(vm.cursor().loadCountProperty().asString()));
    VBox snapshot = new VBox(6, heatmap, new HBox(8, live, slider, window));
    VBox.setVgrow(heatmap, Priority.ALWAYS);

    timeline.setId("expertTimeline");
    vm.cursor().timelineProperty().addListener((o, a, b) -> timeline.show(b));
    timeline.show(vm.cursor().timelineProperty().get());
    ComboBox<Integer> layer = new ComboBox<>(vm.cursor().layers());
    layer.setId("timelineLayer");
    layer.valueProperty().bindBidirectional(vm.cursor().timelineLayerProperty());
    Label scale = new Label("Colour: load / mean (white = the uniform share 1/E, blue below, red above, log scale "
        + "fixed across time), black = no tokens. Hover for values.");
    scale.setWrapText(true);
    scale.getStyleClass().add("hint");
    VBox overTime = new VBox(6, new HBox(8, new Label("layer"), layer), timeline, scale);
    VBox.setVgrow(timeline, Priority.ALWAYS);

    TabPane loadTabs = new TabPane(tab("Layers x experts", snapshot), tab("Expert x time", overTime));
    loadTabs.setId("loadTabs");
    loadTabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
    loadTabs.setPrefHeight(340);

    ComboBox<String> domain = new ComboBox<>(vm.cursor().domains());
    domain.setId("domainChoice");
    domain.valueProperty().bindBidirectional(vm.cursor().domainProperty());
    vm.cursor().domains().addListener((javafx.collections.ListChangeListener<String>) c -> {
      // a combo box clears its value when its items are replaced; restore the model's choice afterwards
      javafx.application.Platform.runLater(() -> {
        if (domain.getValue() == null) {
          domain.setValue(vm.cursor().domainProperty().get());
        }
      });
    });
    Button exportMap = new Button("Export heat map PNG...");
    exportMap.setId("exportHeatmap");
    exportMap.setOnAction(e -> export(loadTabs.getSelectionModel().getSelectedIndex() == 0 ? heatmap : timeline,
        "expert-load.png"));

    health = new TableView<>(vm.cursor().health());
    health.setId("healthTable");
    health.getColumns().add(Tables.column("layer", HealthRow::layer));
    // cv_pct in percent with one decimal: "164.2" fits its column in bold (an alarm cell), "164.213" did not
    health.getColumns().add(Tables.styled("cv_pct", r -> String.format("%.1f", r.cvPct()), lvl(HealthRow::cvLevel)));
    health.getColumns().add(Tables.styled("entropy_norm", r -> fmt(r.entropyNorm()), lvl(HealthRow::entropyLevel)));
    health.getColumns().add(Tables.column("maxvio", r -> fmt(r.maxVio())));
    health.getColumns().add(Tables.styled("max_load_frac", r -> fmt(r.maxLoadFrac()), lvl(HealthRow::maxLoadLevel)));
    health.getColumns().add(Tables.styled("dead", HealthRow::deadExperts, lvl(HealthRow::deadLevel)));
    health.getColumns().add(Tables.column("bias range", HealthRow::biasRange));
    health.getColumns().add(Tables.column("dropped", HealthRow::droppedTokens));
    Tables.fitHeaders(health);
    health.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    health.setPrefHeight(130);
    Label caption = new Label();
    caption.setId("healthCaption");
    caption.textProperty().bind(vm.cursor().healthCaptionProperty());
    StatusText.withTooltip(caption);
    Label legend = new Label();
    legend.setId("healthLegend");
    legend.setWrapText(true);
    legend.getStyleClass().add("hint");
    legend.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
        () -> vm.thresholdsProperty().get().describe(), vm.thresholdsProperty()));

    alarms = new TableView<>(vm.alarms());
    alarms.setId("alarms");
    alarms.getColumns().add(Tables.column("kind", AlarmGroup::kind));
    alarms.getColumns().add(Tables.column("layer", AlarmGroup::layerText));
    alarms.getColumns().add(Tables.column("count", AlarmGroup::count));
    alarms.getColumns().add(Tables.column("steps", g -> g.firstStep() + " .. " + g.lastStep()));
    alarms.getColumns().add(Tables.column("latest", AlarmGroup::lastMessage));
    alarms.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    alarms.setPrefHeight(120);
    alarms.setPlaceholder(new Label("No alarms"));
    alarms.setRowFactory(t -> {
      TableRow<AlarmGroup> row = new TableRow<>();
      row.setOnMouseClicked(e -> {
        if (!row.isEmpty()) {
          vm.jumpToStep(row.getItem().lastStep());
        }
      });
      row.itemProperty().addListener((o, a, b) -> row.setTooltip(b == null ? null
          : new Tooltip(b.lastMessage() + "\n(click: show step " + b.lastStep() + ")")));
      return row;
    });

    Label mapTitle = new Label("Expert load");
    mapTitle.getStyleClass().add("section-title");
    VBox right = new VBox(6, mapTitle, loadTabs, new HBox(8, new Label("tokens:"), domain, exportMap), caption,
        health, legend, new Label("Alarms (by kind and layer, newest first; click to show that step)"), alarms);
    right.setPrefWidth(620);
    right.setMinWidth(400);
    VBox.setVgrow(loadTabs, Priority.ALWAYS);
    root.getChildren().addAll(left, right);
    refreshCharts();
  }

  /** Health metric {@code metric} over time of the chosen layer, for the tokens the domain choice names. */
  private MetricChart layerChart(String id, String label, String metric, List<Threshold> thresholds) {
    return new MetricChart(id, label, () -> {
      Integer l = healthLayer.getValue();
      return l == null ? List.of() : List.of(new Line(metric + " (" + vm.charts().healthLabel(l) + ")",
          () -> vm.charts().healthSeries(l, metric)));
    }, thresholds);
  }

  private List<Line> metricsStartingWith(String prefix, boolean smoothable) {
    List<Line> out = new ArrayList<>();
    for (String name : vm.charts().metricNames()) {
      if (name.startsWith(prefix)) {
        out.add(new Line(name.substring(prefix.length()), () -> vm.charts().series(name, smoothable)));
      }
    }
    return out;
  }

  private void addChartTab(String title, List<MetricChart> charts) {
    addChartTab(title, null, charts);
  }

  /** A tab of {@code charts} under an optional {@code caption}; each chart zooms the shared x range. */
  private void addChartTab(String title, Node caption, List<MetricChart> charts) {
    VBox box = new VBox(4);
    if (caption != null) {
      box.getChildren().add(caption);
    }
    charts.forEach(c -> {
      c.zoomWith(vm.charts());
      box.getChildren().add(c.node());
    });
    ScrollPane scroll = new ScrollPane(box);
    scroll.setFitToWidth(true);
    Tab t = tab(title, scroll);
    t.setId("charts-" + title.toLowerCase().replace(' ', '-'));
    chartPane.getTabs().add(t);
    chartPane.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
    chartTabs.add(charts);
  }

  private static Tab tab(String title, Node content) {
    return new Tab(title, content);
  }

  /** Redraws the charts of the selected chart tab (the others when they are selected). */
  private void refreshCharts() {
    int i = chartPane.getSelectionModel().getSelectedIndex();
    if (i < 0 || i >= chartTabs.size()) {
      return;
    }
    String xLabel = switch (vm.charts().xModeProperty().get()) {
      case STEPS -> "step";
      case TOKENS -> "tokens";
      case WALL_TIME -> "wall time (s)";
    };
    double[] range = vm.charts().xRange();
    chartTabs.get(i).forEach(c -> c.refresh(xLabel, range, vm.charts().logYProperty().get()));
  }

  private static Function<HealthRow, String> lvl(Function<HealthRow, Level> level) {
    return r -> switch (level.apply(r)) {
      case ALARM -> "level-alarm";
      case WARN -> "level-warn";
      default -> null;
    };
  }

  private static String fmt(double v) {
    return String.format("%.3f", v);
  }

  private void export(Node node, String suggested) {
    FileChooser fc = new FileChooser();
    fc.setInitialFileName(suggested);
    fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("PNG image", "*.png"));
    File f = fc.showSaveDialog(root.getScene().getWindow());
    if (f != null) {
      try {
        PngExport.write(node, f.toPath());
      } catch (IOException ex) {
        new Alert(Alert.AlertType.ERROR, "Cannot write " + f + ": " + ex.getMessage()).show();
      }
    }
  }

  public Parent root() {
    return root;
  }

  public LineChart<Number, Number> lossChart() {
    return lossChart.chart();
  }

  /** The line charts of the loss tab, top to bottom. */
  public List<LineChart<Number, Number>> charts() {
    return List.of(lossChart.chart(), tokensChart.chart(), lrChart.chart());
  }

  public HeatmapCanvas heatmap() {
    return heatmap;
  }

  public ExpertTimelineCanvas timeline() {
    return timeline;
  }

  public TableView<HealthRow> healthTable() {
    return health;
  }

  public TableView<AlarmGroup> alarmsTable() {
    return alarms;
  }
}
