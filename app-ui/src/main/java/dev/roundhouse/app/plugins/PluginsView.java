package dev.roundhouse.app.plugins;

import dev.roundhouse.app.Tables;
import java.io.File;
import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.CheckBox;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** Plugins screen: extensions, jars (enable/disable, their errors), load problems, add jar, rescan. */
public final class PluginsView {
  private final VBox root = new VBox(8);

  public PluginsView(PluginsViewModel vm) {
    root.setPadding(new Insets(10));
    Label title = new Label("Plugins folder: " + vm.pluginsDir());
    title.getStyleClass().add("section-title");
    Button add = new Button("Add plugin jar...");
    add.setId("addJar");
    add.setOnAction(e -> {
      FileChooser fc = new FileChooser();
      fc.setTitle("Add plugin jar");
      fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Plugin jars", "*.jar"));
      File f = fc.showOpenDialog(root.getScene().getWindow());
      if (f != null) {
        vm.addJar(f.toPath());
      }
    });
    Button rescan = new Button("Rescan");
    rescan.setId("rescan");
    rescan.setOnAction(e -> vm.rescan());
    Label message = new Label();
    message.setId("pluginsMessage");
    message.textProperty().bind(vm.messageProperty());
    dev.roundhouse.app.StatusText.withTooltip(message);

    TableView<ExtensionRow> ext = new TableView<>(vm.extensions());
    ext.setId("extensionsTable");
    ext.getColumns().add(Tables.column("Kind", ExtensionRow::kind));
    ext.getColumns().add(Tables.column("Id", ExtensionRow::id));
    ext.getColumns().add(Tables.column("Plugin", ExtensionRow::plugin));
    ext.getColumns().add(Tables.column("Version", ExtensionRow::version));
    ext.getColumns().add(Tables.column("Jar", ExtensionRow::jar));
    ext.getColumns().add(Tables.column("Description", ExtensionRow::description));
    Tables.fitHeaders(ext);
    fitValues(ext, vm.extensions(), List.of(ExtensionRow::kind, ExtensionRow::id, ExtensionRow::plugin,
        ExtensionRow::version, ExtensionRow::jar)); // kind / id / plugin / version / jar never cut off
    ext.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

    TableView<JarRow> jars = new TableView<>(vm.jars());
    jars.setId("jarsTable");
    TableColumn<JarRow, Object> enabled = Tables.column("Enabled", JarRow::enabled);
    enabled.setCellFactory(c -> new TableCell<>() {
      @Override
      protected void updateItem(Object item, boolean empty) {
        super.updateItem(item, empty);
        JarRow row = empty || getTableRow() == null ? null : getTableRow().getItem();
        if (row == null) {
          setGraphic(null);
          return;
        }
        CheckBox box = new CheckBox();
        box.setSelected(row.enabled());
        box.setOnAction(e -> vm.setEnabled(row, box.isSelected()));
        setGraphic(box);
      }
    });
    jars.getColumns().add(enabled);
    jars.getColumns().add(Tables.column("Jar", JarRow::name));
    jars.getColumns().add(Tables.column("Plugin", r -> r.pluginId() == null ? "-" : r.pluginId()));
    jars.getColumns().add(Tables.column("Version", r -> r.version() == null ? "-" : r.version()));
    jars.getColumns().add(Tables.styled("Load error", r -> r.problem() == null ? "" : r.problem(),
        r -> r.problem() == null ? null : "level-alarm"));
    Tables.fitHeaders(jars);
    jars.getColumns().get(1).setMinWidth(220);
    jars.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    jars.setPrefHeight(170);

    ListView<String> problems = new ListView<>(vm.problems());
    problems.setId("pluginProblems");
    problems.getStyleClass().add("problems-list");
    problems.setPrefHeight(110);

    VBox.setVgrow(ext, Priority.ALWAYS);
    root.getChildren().addAll(title, new HBox(8, add, rescan, message), new Label("Extensions"), ext,
        new Label("Jars"), jars, new Label("Load problems"), problems);
  }

  /** The first columns of {@code table} at least as wide as their longest value (the rows change on a rescan). */
  private static <T> void fitValues(TableView<T> table, javafx.collections.ObservableList<T> rows,
      List<java.util.function.Function<T, String>> values) {
    Runnable fit = () -> {
      for (int i = 0; i < values.size(); i++) {
        double w = Tables.textWidth(table.getColumns().get(i).getText()) + 28;
        for (T r : rows) {
          w = Math.max(w, Tables.textWidth(String.valueOf(values.get(i).apply(r))) + 20);
        }
        table.getColumns().get(i).setMinWidth(w);
      }
    };
    rows.addListener((javafx.collections.ListChangeListener<T>) c -> fit.run());
    fit.run();
  }

  public Parent root() {
    return root;
  }
}
