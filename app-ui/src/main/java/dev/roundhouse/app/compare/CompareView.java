package dev.roundhouse.app.compare;

import dev.roundhouse.app.Tables;
import dev.roundhouse.app.dashboard.HealthRow;
import dev.roundhouse.app.runs.RunSummary;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Compare screen: pick runs, overlay their loss curves, final router health side by side. */
public final class CompareView {
  private final HBox root = new HBox(10);

  public CompareView(CompareViewModel vm) {
    root.setPadding(new Insets(10));
    ListView<RunSummary> runs = new ListView<>(vm.available());
    runs.setId("compareRuns");
    runs.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
    runs.setCellFactory(l -> new ListCell<>() {
      @Override
      protected void updateItem(RunSummary r, boolean empty) {
        super.updateItem(r, empty);
        setText(empty || r == null ? null : r.name() + "  (" + r.status() + ", " + r.steps() + ")");
      }
    });
    Button go = new Button("Compare selected");
    go.setId("compareButton");
    go.setOnAction(e -> vm.compare(runs.getSelectionModel().getSelectedItems()));
    Label hint = new Label("Ctrl-click to select several runs");
    hint.getStyleClass().add("hint");
    VBox left = new VBox(6, new Label("Runs"), runs, hint, go);
    left.setPrefWidth(300);
    VBox.setVgrow(runs, Priority.ALWAYS);

    NumberAxis x = new NumberAxis();
    x.setLabel("step");
    NumberAxis y = new NumberAxis();
    y.setLabel("loss (nats/token)");
    y.setForceZeroInRange(false);
    LineChart<Number, Number> chart = new LineChart<>(x, y, vm.series());
    chart.setId("compareChart");
    chart.setAnimated(false);
    chart.setCreateSymbols(false);
    TableView<HealthRow> health = new TableView<>(vm.finalHealth());
    health.setId("compareHealth");
    health.getColumns().add(Tables.column("run", HealthRow::run));
    health.getColumns().add(Tables.column("layer", HealthRow::layer));
    health.getColumns().add(Tables.styled("cv_pct", r -> String.format("%.3f", r.cvPct()),
        r -> css(r.cvLevel().name())));
    health.getColumns().add(Tables.styled("entropy_norm", r -> String.format("%.3f", r.entropyNorm()),
        r -> css(r.entropyLevel().name())));
    health.getColumns().add(Tables.column("maxvio", r -> String.format("%.3f", r.maxVio())));
    health.getColumns().add(Tables.styled("max_load_frac", r -> String.format("%.3f", r.maxLoadFrac()),
        r -> css(r.maxLoadLevel().name())));
    health.getColumns().add(Tables.styled("dead", HealthRow::deadExperts, r -> css(r.deadLevel().name())));
    health.getColumns().add(Tables.column("bias range", HealthRow::biasRange));
    health.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    health.setPrefHeight(220);
    Label message = new Label();
    message.setId("compareMessage");
    message.textProperty().bind(vm.messageProperty());
    dev.roundhouse.app.StatusText.withTooltip(message);
    ListView<String> diff = new ListView<>(vm.configDiff());
    diff.setId("compareConfigDiff");
    diff.setPrefHeight(110);
    diff.setCellFactory(l -> new ListCell<>() {
      @Override
      protected void updateItem(String item, boolean empty) {
        super.updateItem(item, empty);
        setText(empty ? null : item);
        setWrapText(true);
        setPrefWidth(0); // wrap to the list's width instead of scrolling sideways
      }
    });
    diff.setPlaceholder(new Label("Config differences of the compared runs show here"));
    VBox center = new VBox(6, message, new Label("Config fields that differ"), diff, chart, new Label("Final router health (last expert-load window)"), health);
    VBox.setVgrow(chart, Priority.ALWAYS);
    HBox.setHgrow(center, Priority.ALWAYS);
    root.getChildren().addAll(left, center);
  }

  private static String css(String level) {
    return level.equals("OK") ? null : "level-" + level.toLowerCase();
  }

  public Parent root() {
    return root;
  }
}
