package dev.roundhouse.app.compose;

/**
 * One config field as a form shows it, read from a record component.
 *
 * @param name the JSON key (the record component name)
 * @param type how the form edits it
 * @param typeName the Java type's simple name, e.g. "Double"
 * @param defaultText the default the record's constructor fills in for null, as text ("" if none)
 */
public record FieldSpec(String name, FieldType type, String typeName, String defaultText) {

  /** How a field is edited and parsed back into JSON. */
  public enum FieldType { INTEGER, DECIMAL, BOOLEAN, TEXT, PLUGIN, UNSUPPORTED }

  /** The same field with another default text ("" for none). */
  public FieldSpec withDefault(String text) {
    return new FieldSpec(name, type, typeName, text);
  }

  /** Tooltip text: type and default. */
  public String description() {
    return typeName + (defaultText.isEmpty() ? ", no default" : ", default " + defaultText);
  }
}
