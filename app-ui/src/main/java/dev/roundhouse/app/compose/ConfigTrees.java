package dev.roundhouse.app.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.app.compose.FieldSpec.FieldType;

/** Small helpers over a run config's JSON tree addressed by dotted paths ({@code model.moe.topK}). */
final class ConfigTrees {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ConfigTrees() {}

  /** The node at {@code path}, or null. */
  static JsonNode get(ObjectNode root, String path) {
    JsonNode n = root;
    for (String k : path.split("\\.")) {
      n = n == null || !n.isObject() ? null : n.get(k);
    }
    return n;
  }

  /** Sets (value non-null) or removes (value null) the key at {@code path}, creating parent objects. */
  static void put(ObjectNode root, String path, JsonNode value) {
    String[] keys = path.split("\\.");
    ObjectNode n = root;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonNode child = n.get(keys[i]);
      if (child == null || !child.isObject()) {
        if (value == null) {
          return;
        }
        child = n.putObject(keys[i]);
      }
      n = (ObjectNode) child;
    }
    if (value == null) {
      n.remove(keys[keys.length - 1]);
    } else {
      n.set(keys[keys.length - 1], value);
    }
  }

  /**
   * The JSON value of a field's text: null (leave out, take the default) for "", JSON null for
   * "null", a number or boolean when the text parses as one, else the text itself (so the binder
   * reports the type error at the field's path).
   */
  static JsonNode parse(String text, FieldType type) {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty()) {
      return null;
    }
    if (t.equals("null")) {
      return F.nullNode();
    }
    switch (type) {
      case INTEGER -> {
        try {
          return F.numberNode(Long.parseLong(t));
        } catch (NumberFormatException e) {
          return F.textNode(t);
        }
      }
      case DECIMAL -> {
        try {
          return F.numberNode(Double.parseDouble(t));
        } catch (NumberFormatException e) {
          return F.textNode(t);
        }
      }
      case BOOLEAN -> {
        return t.equals("true") || t.equals("false") ? F.booleanNode(Boolean.parseBoolean(t)) : F.textNode(t);
      }
      default -> {
        return F.textNode(t);
      }
    }
  }

  /** The text a form shows for a stored value ("" when absent). */
  static String text(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "";
    }
    if (n.isNull()) {
      return "null";
    }
    return n.isValueNode() ? n.asText() : n.toString();
  }
}
