package dev.roundhouse.app.compose;

import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One editable field of the Compose form: its JSON path in the run config, its spec, the text the
 * user typed ("" = take the default) and the validator's problem for it (null when fine).
 */
public final class FieldModel {
  private final String path;
  private final FieldSpec spec;
  private final StringProperty text = new SimpleStringProperty("");
  private final StringProperty problem = new SimpleStringProperty();

  public FieldModel(String path, FieldSpec spec) {
    this.path = path;
    this.spec = spec;
  }

  /** JSON path, e.g. {@code model.moe.topK}; also the control's id in the form. */
  public String path() {
    return path;
  }

  public FieldSpec spec() {
    return spec;
  }

  public StringProperty textProperty() {
    return text;
  }

  public StringProperty problemProperty() {
    return problem;
  }
}
