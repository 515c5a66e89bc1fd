package dev.roundhouse.app.compose;

import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * A plugin choice in the Compose form, e.g. the router at {@code model.moe.router}: the ids of that
 * kind, the chosen id ({@link #NONE} for an optional section left out) and the generated fields of
 * the chosen provider's config record.
 */
public final class PluginSection {
  /** Choice that leaves an optional plugin section out of the config. */
  public static final String NONE = "(none)";

  private final String title;
  private final String path;
  private final String kind;
  private final boolean optional;
  private final ObservableList<String> ids = FXCollections.observableArrayList();
  private final StringProperty selected = new SimpleStringProperty();
  private final StringProperty description = new SimpleStringProperty("");
  private final StringProperty problem = new SimpleStringProperty();
  private final ObservableList<FieldModel> fields = FXCollections.observableArrayList();

  public PluginSection(String title, String path, String kind, boolean optional) {
    this.title = title;
    this.path = path;
    this.kind = kind;
    this.optional = optional;
  }

  public String title() {
    return title;
  }

  /** JSON path of the plugin object, e.g. {@code model.moe.router}. */
  public String path() {
    return path;
  }

  /** Extension kind label, e.g. "router". */
  public String kind() {
    return kind;
  }

  public boolean optional() {
    return optional;
  }

  public ObservableList<String> ids() {
    return ids;
  }

  public StringProperty selectedProperty() {
    return selected;
  }

  /** The chosen provider's description. */
  public StringProperty descriptionProperty() {
    return description;
  }

  /** A problem with the section itself (e.g. unknown type), null when fine. */
  public StringProperty problemProperty() {
    return problem;
  }

  /** Fields of the chosen provider's config record; replaced when the choice changes. */
  public ObservableList<FieldModel> fields() {
    return fields;
  }

  /** True when the section is left out of the config. */
  public boolean isNone() {
    return selected.get() == null || selected.get().isEmpty() || NONE.equals(selected.get());
  }
}
