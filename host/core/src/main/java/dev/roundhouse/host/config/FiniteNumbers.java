package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds every number in a bound config that is NaN or infinite: record components of type double/float (boxed or
 * not), in nested records and lists, and numbers inside free-form JSON sections (plugin sections before they are
 * bound; {@code 1e400} parses to infinity). Jackson turns the strings {@code "NaN"} and {@code "Infinity"} into
 * such doubles, so this check is what keeps them out of a run. Stateless and thread-safe.
 */
public final class FiniteNumbers {
  private FiniteNumbers() {}

  /** Adds a problem per non-finite number found in {@code value} (a record, list or JSON tree) below {@code path}. */
  public static void check(Object value, String path, Problems p) {
    if (value == null) {
      return;
    }
    if (value instanceof Double || value instanceof Float) {
      p.finite(path, (Number) value);
    } else if (value instanceof JsonNode n) {
      tree(n, path, p);
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        check(list.get(i), path + "[" + i + "]", p);
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> check(v, join(path, String.valueOf(k)), p));
    } else if (value.getClass().isRecord()) {
      for (RecordComponent c : value.getClass().getRecordComponents()) {
        try {
          c.getAccessor().setAccessible(true);
          check(c.getAccessor().invoke(value), join(path, c.getName()), p);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // an accessor we cannot call holds nothing we could check
        }
      }
    }
  }

  private static void tree(JsonNode n, String path, Problems p) {
    if (n.isNumber()) {
      p.finite(path, n.doubleValue());
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        tree(n.get(i), path + "[" + i + "]", p);
      }
    } else if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        tree(e.getValue(), join(path, e.getKey()), p);
      }
    }
  }

  private static String join(String path, String key) {
    return path == null || path.isEmpty() ? key : path + "." + key;
  }
}
