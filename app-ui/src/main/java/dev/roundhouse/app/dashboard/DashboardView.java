package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.Tables;
import dev.roundhouse.app.dashboard.HealthThresholds.Level;
import dev.roundhouse.app.export.PngExport;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/**
 * Dashboard screen: loss / val loss, tokens/s and LR charts; expert-load heat map with a step slider
 * and live mode; router health table with alarm colours; alarms; PNG export of charts and heat map.
 */
public final class DashboardView {
  private final HBox root = new HBox(10);
  private final LineChart<Number, Number> lossChart;
  private final LineChart<Number, Number> tokensChart;
  private final LineChart<Number, Number> lrChart;
  private final HeatmapCanvas heatmap = new HeatmapCanvas();
  private final TableView<HealthRow> health;

  public DashboardView(DashboardViewModel vm) {
    root.setPadding(new Insets(10));
    lossChart = chart("lossChart", "loss (nats/token)", series("train loss", vm.loss()), series("val loss",
        vm.valLoss()));
    tokensChart = chart("tokensChart", "tokens/s", series("tokens/s", vm.tokensPerS()));
    lrChart = chart("lrChart", "learning rate", series("lr", vm.lr()));
    // a line chart keeps drawing a series' old line after its data is cleared: new series per run
    vm.generationProperty().addListener((o, a, b) -> {
      lossChart.getData().setAll(List.of(series("train loss", vm.loss()), series("val loss", vm.valLoss())));
      tokensChart.getData().setAll(List.of(series("tokens/s", vm.tokensPerS())));
      lrChart.getData().setAll(List.of(series("lr", vm.lr())));
    });
    lossChart.setPrefHeight(330);
    tokensChart.setPrefHeight(190);
    lrChart.setPrefHeight(190);

    Label title = new Label();
    title.setId("dashTitle");
    title.getStyleClass().add("section-title");
    title.textProperty().bind(vm.titleProperty().concat("  [").concat(vm.statusProperty()).concat("]"));
    Label notice = new Label();
    notice.setId("dashNotice");
    notice.setWrapText(true);
    notice.getStyleClass().add("hint");
    notice.textProperty().bind(vm.noticeProperty());
    notice.visibleProperty().bind(vm.noticeProperty().isNotEmpty());
    notice.managedProperty().bind(notice.visibleProperty());
    Tooltip noticeTip = new Tooltip();
    noticeTip.textProperty().bind(vm.noticeProperty());
    notice.setTooltip(noticeTip);
    Label stats = new Label();
    stats.setId("dashStats");
    stats.getStyleClass().add("stats");
    stats.textProperty().bind(vm.statsProperty());
    Button exportCharts = new Button("Export charts PNG...");
    exportCharts.setId("exportCharts");
    VBox chartsBox = new VBox(4, lossChart, tokensChart, lrChart);
    exportCharts.setOnAction(e -> export(chartsBox, "charts.png"));
    VBox left = new VBox(6, title, notice, stats, chartsBox, exportCharts);
    HBox.setHgrow(left, Priority.ALWAYS);
    left.setPrefWidth(560);

    heatmap.setId("heatmap");
    vm.heatmapProperty().addListener((o, a, b) -> heatmap.show(b));
    heatmap.show(vm.heatmapProperty().get());
    Slider slider = new Slider(0, 0, 0);
    slider.setId("loadSlider");
    slider.setMajorTickUnit(1);
    slider.setMinorTickCount(0);
    slider.setSnapToTicks(true);
    slider.setBlockIncrement(1);
    HBox.setHgrow(slider, Priority.ALWAYS);
    vm.loadCountProperty().addListener((o, a, b) -> slider.setMax(Math.max(0, b.intValue() - 1)));
    slider.setMax(Math.max(0, vm.loadCountProperty().get() - 1));
    slider.valueProperty().addListener((o, a, b) -> {
      int i = (int) Math.round(b.doubleValue());
      if (i != vm.loadIndexProperty().get()) {
        vm.loadIndexProperty().set(i);
      }
    });
    vm.loadIndexProperty().addListener((o, a, b) -> slider.setValue(b.intValue()));
    CheckBox live = new CheckBox("live");
    live.setId("liveToggle");
    live.selectedProperty().bindBidirectional(vm.liveProperty());
    ComboBox<String> domain = new ComboBox<>(vm.domains());
    domain.setId("domainChoice");
    domain.valueProperty().bindBidirectional(vm.domainProperty());
    vm.domains().addListener((javafx.collections.ListChangeListener<String>) c -> {
      // a combo box clears its value when its items are replaced; restore the model's choice afterwards
      javafx.application.Platform.runLater(() -> {
        if (domain.getValue() == null) {
          domain.setValue(vm.domainProperty().get());
        }
      });
    });
    Label window = new Label();
    window.textProperty().bind(vm.loadIndexProperty().add(1).asString("window %d of ")
        .concat(vm.loadCountProperty().asString()));
    Button exportMap = new Button("Export heat map PNG...");
    exportMap.setId("exportHeatmap");
    exportMap.setOnAction(e -> export(heatmap, "expert-load.png"));

    health = new TableView<>(vm.health());
    health.setId("healthTable");
    health.getColumns().add(Tables.column("layer", HealthRow::layer));
    health.getColumns().add(Tables.styled("cv_pct", r -> fmt(r.cvPct()), lvl(HealthRow::cvLevel)));
    health.getColumns().add(Tables.styled("entropy_norm", r -> fmt(r.entropyNorm()), lvl(HealthRow::entropyLevel)));
    health.getColumns().add(Tables.styled("maxvio", r -> fmt(r.maxVio()), lvl(HealthRow::maxVioLevel)));
    health.getColumns().add(Tables.column("max_load_frac", r -> fmt(r.maxLoadFrac())));
    health.getColumns().add(Tables.styled("dead", HealthRow::deadExperts, lvl(HealthRow::deadLevel)));
    health.getColumns().add(Tables.column("bias range", HealthRow::biasRange));
    health.getColumns().add(Tables.column("dropped", HealthRow::droppedTokens));
    health.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    health.setPrefHeight(150);
    Label legend = new Label("Alarm colours: entropy_norm < " + HealthThresholds.ENTROPY_ALARM + ", cv_pct > "
        + HealthThresholds.CV_ALARM + ", maxvio > " + HealthThresholds.MAXVIO_ALARM + ", any dead expert (red); "
        + "entropy_norm < " + HealthThresholds.ENTROPY_WARN + ", cv_pct > " + HealthThresholds.CV_WARN
        + ", maxvio > " + HealthThresholds.MAXVIO_WARN + " (amber)");
    legend.setWrapText(true);
    legend.getStyleClass().add("hint");
    ListView<String> alarms = new ListView<>(vm.alarms());
    alarms.setId("alarms");
    alarms.getStyleClass().add("problems-list");
    alarms.setPrefHeight(90);

    Label mapTitle = new Label("Expert load (share of tokens per expert)");
    mapTitle.getStyleClass().add("section-title");
    VBox right = new VBox(6, mapTitle, heatmap, new HBox(8, live, slider, window), new HBox(8, domain, exportMap),
        new Label("Router health per layer"), health, legend, new Label("Alarms"), alarms);
    right.setPrefWidth(600);
    VBox.setVgrow(heatmap, Priority.ALWAYS);
    root.getChildren().addAll(left, right);
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

  @SafeVarargs
  private static LineChart<Number, Number> chart(String id, String yLabel, XYChart.Series<Number, Number>... s) {
    NumberAxis x = new NumberAxis();
    x.setLabel("step");
    x.setForceZeroInRange(false);
    NumberAxis y = new NumberAxis();
    y.setLabel(yLabel);
    y.setForceZeroInRange(false);
    LineChart<Number, Number> c = new LineChart<>(x, y);
    c.setId(id);
    c.setAnimated(false);
    c.setCreateSymbols(false);
    c.getData().addAll(List.of(s));
    return c;
  }

  private static XYChart.Series<Number, Number> series(String name, ObservableList<XYChart.Data<Number, Number>> d) {
    return new XYChart.Series<>(name, d);
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
    return lossChart;
  }

  /** Every line chart, top to bottom. */
  public List<LineChart<Number, Number>> charts() {
    return List.of(lossChart, tokensChart, lrChart);
  }

  public HeatmapCanvas heatmap() {
    return heatmap;
  }

  public TableView<HealthRow> healthTable() {
    return health;
  }
}
