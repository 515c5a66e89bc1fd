package dev.roundhouse.app.sweep;

import dev.roundhouse.app.Tables;
import java.io.File;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;

/** Sweep screen: open a sweep folder, its report table, compare the selected trials. */
public final class SweepView {
  private final VBox root = new VBox(8);

  public SweepView(SweepViewModel vm) {
    root.setPadding(new Insets(10));
    Button open = new Button("Open sweep...");
    open.setId("openSweep");
    open.setOnAction(e -> {
      DirectoryChooser chooser = new DirectoryChooser();
      chooser.setTitle("Sweep folder (runs/<sweep>)");
      if (vm.folderProperty().get() != null && vm.folderProperty().get().getParent() != null) {
        chooser.setInitialDirectory(vm.folderProperty().get().getParent().toFile());
      }
      File dir = chooser.showDialog(root.getScene().getWindow());
      if (dir != null) {
        vm.open(dir.toPath());
      }
    });
    Button reload = new Button("Reload");
    reload.setId("reloadSweep");
    reload.disableProperty().bind(vm.folderProperty().isNull());
    reload.setOnAction(e -> vm.reload());

    TableView<SweepRow> table = new TableView<>(vm.rows());
    table.setId("sweepTable");
    table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
    table.getColumns().add(Tables.column("trial", SweepRow::trial));
    table.getColumns().add(Tables.styled("status", SweepRow::status,
        r -> r.status().equals("failed") ? "level-alarm" : r.status().equals("running") ? "level-warn" : null));
    table.getColumns().add(Tables.column("parameters", SweepRow::parameters));
    table.getColumns().add(Tables.column("final val", SweepRow::finalText));
    table.getColumns().add(Tables.column("best val", SweepRow::bestText));
    table.getColumns().add(Tables.column("to-target s", SweepRow::timeToTargetText));
    table.getColumns().add(Tables.column("to-target tok", SweepRow::tokensToTargetText));
    table.getColumns().add(Tables.column("tok/s", SweepRow::tokensPerSText));
    table.getColumns().add(Tables.column("worst cv%", SweepRow::worstCvText));
    table.getColumns().add(Tables.column("min H", SweepRow::minEntropyText));
    table.getColumns().add(Tables.column("dead", SweepRow::deadText));
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    VBox.setVgrow(table, Priority.ALWAYS);

    Button compare = new Button("Compare selected");
    compare.setId("compareSweepTrials");
    compare.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
    compare.setOnAction(e -> vm.compareSelected(table.getSelectionModel().getSelectedItems()));
    Label message = new Label();
    message.setId("sweepMessage");
    message.setWrapText(true);
    message.textProperty().bind(vm.messageProperty());
    dev.roundhouse.app.StatusText.withTooltip(message);
    Label hint = new Label("Ctrl-click to select several trials; the table is report.json "
        + "(written by `roundhouse sweep report`)");
    hint.getStyleClass().add("hint");
    root.getChildren().addAll(new HBox(8, open, reload, compare), message, table, hint);
  }

  public Parent root() {
    return root;
  }
}
