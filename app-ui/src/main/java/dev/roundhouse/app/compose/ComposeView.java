package dev.roundhouse.app.compose;

import java.io.File;
import java.util.List;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.controlsfx.validation.ValidationMessage;
import org.controlsfx.validation.decoration.GraphicValidationDecoration;
import org.controlsfx.validation.decoration.ValidationDecoration;

/**
 * Compose screen: one generated form per config record (host sections and the chosen plugins),
 * ControlsFX error decorations on the fields the validator names, the problem list, the params/FLOPs
 * estimate, load/save JSON and launch.
 */
public final class ComposeView {
  private final VBox root = new VBox(8);
  private final ValidationDecoration decoration = new GraphicValidationDecoration();

  public ComposeView(ComposeViewModel vm, Runnable launch) {
    root.setPadding(new Insets(10));
    Button load = new Button("Load config...");
    load.setId("composeLoad");
    load.setOnAction(e -> {
      File f = chooser().showOpenDialog(root.getScene().getWindow());
      if (f != null) {
        try {
          vm.load(f.toPath());
        } catch (RuntimeException ex) {
          new Alert(Alert.AlertType.ERROR, ex.getMessage()).show();
        }
      }
    });
    Button save = new Button("Save config...");
    save.setId("composeSave");
    save.setOnAction(e -> {
      File f = chooser().showSaveDialog(root.getScene().getWindow());
      if (f != null) {
        vm.save(f.toPath());
      }
    });
    Button go = new Button("Launch run");
    go.setId("composeLaunch");
    go.disableProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(vm.problems()));
    go.setOnAction(e -> launch.run());
    Label source = new Label();
    source.setId("composeSource");
    source.textProperty().bind(javafx.beans.binding.Bindings.when(vm.unsavedProperty())
        .then(vm.sourceProperty().concat("  (unsaved changes)")).otherwise(vm.sourceProperty()));
    source.getStyleClass().add("hint");
    dev.roundhouse.app.StatusText.withTooltip(source);
    Label estimate = new Label();
    estimate.setId("estimate");
    estimate.textProperty().bind(vm.estimateProperty());
    ListView<String> problems = new ListView<>(vm.problems());
    problems.setId("composeProblems");
    problems.getStyleClass().add("problems-list");
    problems.setPrefHeight(80);
    problems.setMinHeight(60);
    ListView<String> warnings = new ListView<>(vm.warnings());
    warnings.setId("composeWarnings");
    warnings.getStyleClass().add("warnings-list");
    warnings.setPrefHeight(54);
    warnings.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(vm.warnings()));
    warnings.managedProperty().bind(warnings.visibleProperty());
    Label valid = new Label();
    valid.textProperty().bind(javafx.beans.binding.Bindings.when(javafx.beans.binding.Bindings.isEmpty(vm.problems()))
        .then("Valid: same checks as `roundhouse validate`").otherwise("Problems:"));

    FlowPane forms = new FlowPane(10, 10);
    forms.setRowValignment(VPos.TOP);
    forms.setAlignment(Pos.TOP_LEFT);
    for (Map.Entry<String, List<FieldModel>> s : vm.sections().entrySet()) {
      GridPane grid = new GridPane();
      grid.setHgap(6);
      grid.setVgap(4);
      addFields(grid, s.getValue(), 0);
      forms.getChildren().add(titled(s.getKey(), grid));
    }
    for (PluginSection s : vm.pluginSections()) {
      forms.getChildren().add(titled(s.title() + " (" + s.kind() + ")", pluginForm(s)));
    }
    ScrollPane scroll = new ScrollPane(forms);
    scroll.setFitToWidth(true);
    scroll.setId("composeForms");
    VBox.setVgrow(scroll, Priority.ALWAYS);
    root.getChildren().addAll(new HBox(8, load, save, go, source), estimate, valid, problems, warnings, scroll);
  }

  private static FileChooser chooser() {
    FileChooser fc = new FileChooser();
    fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Run config", "*.json"));
    return fc;
  }

  private static TitledPane titled(String title, Parent content) {
    TitledPane p = new TitledPane(title, content);
    p.setCollapsible(false);
    p.setPrefWidth(390);
    return p;
  }

  private VBox pluginForm(PluginSection s) {
    ComboBox<String> choice = new ComboBox<>(s.ids());
    choice.setId(idOf(s.path()) + "-type");
    choice.valueProperty().bindBidirectional(s.selectedProperty());
    Label desc = new Label();
    desc.setWrapText(true);
    desc.setMaxWidth(360);
    desc.getStyleClass().add("hint");
    desc.textProperty().bind(s.descriptionProperty());
    s.problemProperty().addListener((o, a, b) -> decorate(choice, b));
    decorate(choice, s.problemProperty().get());
    GridPane grid = new GridPane();
    grid.setHgap(6);
    grid.setVgap(4);
    Runnable rebuild = () -> {
      grid.getChildren().clear();
      addFields(grid, s.fields(), 0);
    };
    s.fields().addListener((ListChangeListener<FieldModel>) c -> rebuild.run());
    rebuild.run();
    return new VBox(6, choice, desc, grid);
  }

  private void addFields(GridPane grid, List<FieldModel> fields, int row0) {
    int row = row0;
    for (FieldModel f : fields) {
      Label label = new Label(f.spec().name());
      Control input;
      List<String> choices = ComposeViewModel.choices(f.path());
      if (f.spec().type() == FieldSpec.FieldType.BOOLEAN || choices != null) {
        ComboBox<String> box = new ComboBox<>();
        box.getItems().add("");
        box.getItems().addAll(choices != null ? choices : List.of("true", "false"));
        box.valueProperty().bindBidirectional(f.textProperty());
        box.setPromptText(f.spec().defaultText().isEmpty() ? "" : "default " + f.spec().defaultText());
        input = box;
      } else {
        TextField text = new TextField();
        text.textProperty().bindBidirectional(f.textProperty());
        text.setPromptText(f.spec().defaultText().isEmpty() ? "" : "default " + f.spec().defaultText());
        text.setPrefColumnCount(12);
        input = text;
      }
      input.setId(idOf(f.path()));
      input.setTooltip(new Tooltip(f.path() + ": " + f.spec().description()));
      f.problemProperty().addListener((o, a, b) -> decorate(input, b));
      decorate(input, f.problemProperty().get());
      grid.addRow(row++, label, input);
    }
  }

  /** ControlsFX error graphic + red border + tooltip on {@code c} for {@code problem}; cleared for null. */
  private void decorate(Control c, String problem) {
    decoration.removeDecorations(c);
    c.getStyleClass().remove("field-error");
    if (problem != null) {
      decoration.applyValidationDecoration(ValidationMessage.error(c, problem));
      c.getStyleClass().add("field-error");
    }
  }

  /** Node id of the control editing JSON path {@code path}: "field-" + path with dots as dashes. */
  public static String idOf(String path) {
    return "field-" + path.replace('.', '-');
  }

  public Parent root() {
    return root;
  }
}
