package dev.roundhouse.app.compare;

import dev.roundhouse.app.StatusText;
import dev.roundhouse.app.Tables;
import dev.roundhouse.app.dashboard.HealthRow;
import dev.roundhouse.app.runs.RunSummary;
import java.io.File;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.chart.LineChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.stage.DirectoryChooser;

/**
 * Compare screen: pick runs (the Runs screen's, and the trials of sweep folders), overlay their curves in
 * one colour per run (train solid, val dashed), router health and aux losses over time; the config fields
 * that differ are the legend; final router health side by side.
 */
public final class CompareView {
  private final HBox root = new HBox(10);
  private final CurveChart loss;
  private final CurveChart health;
  private final CurveChart aux;
  /** Run directories selected in the runs list (kept while the list's items are replaced). */
  private final java.util.Set<java.nio.file.Path> chosen = new java.util.LinkedHashSet<>();
  private boolean syncing;

  public CompareView(CompareViewModel vm) {
    root.setPadding(new Insets(10));
    ListView<RunSummary> runs = new ListView<>(vm.candidates());
    runs.setId("compareRuns");
    runs.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
    runs.setCellFactory(l -> new ListCell<>() {
      @Override
      protected void updateItem(RunSummary r, boolean empty) {
        super.updateItem(r, empty);
        setText(empty || r == null ? null : r.name() + "  (" + r.status() + ", " + r.steps() + ")");
      }
    });
    // the list is replaced as runs progress and sweeps are added: keep the selection; a compare selects its runs
    runs.getSelectionModel().getSelectedItems().addListener((ListChangeListener<RunSummary>) c -> {
      if (!syncing) {
        chosen.clear();
        runs.getSelectionModel().getSelectedItems().forEach(r -> chosen.add(r.dir()));
      }
    });
    vm.candidates().addListener((ListChangeListener<RunSummary>) c -> select(runs));
    vm.compared().addListener((ListChangeListener<RunSummary>) c -> {
      chosen.clear();
      vm.compared().forEach(r -> chosen.add(r.dir()));
      select(runs);
    });
    Button go = new Button("Compare selected");
    go.setId("compareButton");
    go.setOnAction(e -> vm.compare(runs.getSelectionModel().getSelectedItems()));
    Button sweep = new Button("Open sweep...");
    sweep.setId("compareOpenSweep");
    sweep.setOnAction(e -> {
      DirectoryChooser chooser = new DirectoryChooser();
      chooser.setTitle("Sweep folder (runs/<sweep>)");
      File dir = chooser.showDialog(root.getScene().getWindow());
      if (dir != null) {
        vm.openSweep(dir.toPath());
      }
    });
    Label hint = new Label("Ctrl-click to select several runs; a sweep folder adds its trials");
    hint.setWrapText(true);
    hint.getStyleClass().add("hint");
    VBox left = new VBox(6, new Label("Runs"), runs, hint, new HBox(6, go, sweep));
    left.setPrefWidth(300);
    left.setMinWidth(260);
    VBox.setVgrow(runs, Priority.ALWAYS);

    loss = new CurveChart("compareChart", "loss (nats/token)", vm::lossCurves);
    health = new CurveChart("compareHealthChart", "router health", vm::healthCurves);
    aux = new CurveChart("compareAuxChart", "aux / z losses (x coefficient)", vm::auxCurves);
    ComboBox<String> metric = new ComboBox<>();
    metric.setId("compareHealthMetric");
    metric.getItems().setAll(CompareViewModel.HEALTH_METRICS);
    metric.valueProperty().bindBidirectional(vm.healthMetricProperty());
    ComboBox<Integer> layer = new ComboBox<>(vm.layers());
    layer.setId("compareHealthLayer");
    layer.valueProperty().bindBidirectional(vm.healthLayerProperty());
    HBox healthControls = new HBox(8, new Label("metric"), metric, new Label("layer"), layer);
    healthControls.setAlignment(Pos.CENTER_LEFT);
    VBox healthBox = new VBox(6, healthControls, health.chart());
    VBox.setVgrow(health.chart(), Priority.ALWAYS);
    TabPane charts = new TabPane(tab("Loss", "compare-loss", loss.chart()),
        tab("Router health", "compare-health", healthBox), tab("Aux losses", "compare-aux", aux.chart()));
    charts.setId("compareCharts");
    charts.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
    vm.revisionProperty().addListener(o -> refresh());

    TableView<HealthRow> table = new TableView<>(vm.finalHealth());
    table.setId("compareHealth");
    table.getColumns().add(Tables.column("run", HealthRow::run));
    table.getColumns().add(Tables.column("layer", HealthRow::layer));
    table.getColumns().add(Tables.styled("cv_pct", r -> String.format("%.3f", r.cvPct()),
        r -> css(r.cvLevel().name())));
    table.getColumns().add(Tables.styled("entropy_norm", r -> String.format("%.3f", r.entropyNorm()),
        r -> css(r.entropyLevel().name())));
    table.getColumns().add(Tables.column("maxvio", r -> String.format("%.3f", r.maxVio())));
    table.getColumns().add(Tables.styled("max_load_frac", r -> String.format("%.3f", r.maxLoadFrac()),
        r -> css(r.maxLoadLevel().name())));
    table.getColumns().add(Tables.styled("dead", HealthRow::deadExperts, r -> css(r.deadLevel().name())));
    table.getColumns().add(Tables.column("bias range", HealthRow::biasRange));
    Tables.fitHeaders(table);
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    table.setPrefHeight(170);
    Label message = new Label();
    message.setId("compareMessage");
    message.textProperty().bind(vm.messageProperty());
    StatusText.withTooltip(message);
    ListView<String> diff = new ListView<>(vm.configDiff());
    diff.setId("compareConfigDiff");
    diff.setPrefHeight(110);
    diff.setCellFactory(l -> new ListCell<>() {
      @Override
      protected void updateItem(String item, boolean empty) {
        super.updateItem(item, empty);
        setText(empty ? null : item);
        String colour = empty || item == null ? null : vm.colourOf(item.substring(0, Math.max(0, item.indexOf(": "))));
        setGraphic(colour == null ? null : new Rectangle(14, 4, Color.web(colour)));
        setWrapText(true);
        setPrefWidth(0); // wrap to the list's width instead of scrolling sideways
      }
    });
    diff.setPlaceholder(new Label("Config differences of the compared runs show here"));
    Label legend = new Label("Legend: one colour per run (below, with the config fields that differ); "
        + "solid = train loss, dashed = val loss; aux losses: one dash per loss name");
    legend.setWrapText(true);
    legend.getStyleClass().add("hint");
    VBox center = new VBox(6, message, legend, diff, charts,
        new Label("Final router health (last expert-load window)"), table);
    VBox.setVgrow(charts, Priority.ALWAYS);
    HBox.setHgrow(center, Priority.ALWAYS);
    root.getChildren().addAll(left, center);
    refresh();
  }

  private void refresh() {
    loss.refresh();
    health.refresh();
    aux.refresh();
  }

  /** Selects the chosen runs again (on the FX thread, after the list has taken its new items). */
  private void select(ListView<RunSummary> list) {
    javafx.application.Platform.runLater(() -> {
      syncing = true;
      try {
        list.getSelectionModel().clearSelection();
        for (int i = 0; i < list.getItems().size(); i++) {
          if (chosen.contains(list.getItems().get(i).dir())) {
            list.getSelectionModel().select(i);
          }
        }
      } finally {
        syncing = false;
      }
    });
  }

  private static Tab tab(String title, String id, javafx.scene.Node content) {
    Tab t = new Tab(title, content);
    t.setId(id);
    return t;
  }

  private static String css(String level) {
    return level.equals("OK") ? null : "level-" + level.toLowerCase();
  }

  /** The loss chart (train solid, val dashed, one colour per run). */
  public LineChart<Number, Number> lossChart() {
    return loss.chart();
  }

  public Parent root() {
    return root;
  }
}
