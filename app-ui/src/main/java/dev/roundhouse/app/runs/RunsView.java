package dev.roundhouse.app.runs;

import dev.roundhouse.app.Tables;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Runs screen: launch the composed config, stop, resume, open in the dashboard; past runs table. */
public final class RunsView {
  private final VBox root = new VBox(8);

  public RunsView(RunsViewModel vm) {
    root.setPadding(new Insets(10));
    Button launch = button("launchRun", "Launch composed config", vm::launch);
    launch.disableProperty().bind(vm.runningProperty());
    Button stop = button("stopRun", "Stop (writes checkpoint)", vm::stop);
    stop.disableProperty().bind(vm.runningProperty().not());
    Button resume = button("resumeRun", "Resume selected", vm::resume);
    resume.disableProperty().bind(vm.runningProperty().or(vm.selectedProperty().isNull()));
    Button open = button("openRun", "Open in dashboard", vm::open);
    open.disableProperty().bind(vm.selectedProperty().isNull());
    Button refresh = button("refreshRuns", "Refresh", vm::refresh);
    Label message = new Label();
    message.setId("runsMessage");
    message.setWrapText(true);
    message.textProperty().bind(vm.messageProperty());
    dev.roundhouse.app.StatusText.withTooltip(message);
    Label folder = new Label("Runs folder: " + vm.runsRoot());
    folder.getStyleClass().add("section-title");

    TableView<RunSummary> table = new TableView<>(vm.runs());
    table.setId("runsTable");
    table.getColumns().add(Tables.column("Run", RunSummary::name));
    table.getColumns().add(Tables.styled("Status", RunSummary::status,
        r -> r.status().equals("failed") ? "level-alarm" : r.status().equals("running") ? "level-warn" : null));
    table.getColumns().add(Tables.column("Steps", RunSummary::steps));
    table.getColumns().add(Tables.column("Best val loss", RunSummary::bestValText));
    table.getColumns().add(Tables.column("Last update", RunSummary::modified));
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> vm.selectedProperty().set(b));
    vm.selectedProperty().addListener((o, a, b) -> {
      if (b != table.getSelectionModel().getSelectedItem()) {
        table.getSelectionModel().select(b);
      }
    });
    table.setRowFactory(t -> {
      TableRow<RunSummary> row = new TableRow<>();
      row.setOnMouseClicked(e -> {
        if (e.getClickCount() == 2 && !row.isEmpty()) {
          vm.selectedProperty().set(row.getItem());
          vm.open();
        }
      });
      return row;
    });
    VBox.setVgrow(table, Priority.ALWAYS);
    root.getChildren().addAll(folder, new HBox(8, launch, stop, resume, open, refresh), message, table);
  }

  private static Button button(String id, String text, Runnable action) {
    Button b = new Button(text);
    b.setId(id);
    b.setOnAction(e -> action.run());
    return b;
  }

  public Parent root() {
    return root;
  }
}
