package dev.roundhouse.app.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The fields of several run configs that differ (plain data): each config flattened to JSON path ->
 * value text ({@code "-"} where a run lacks the path); only paths whose values are not all equal are kept.
 * The run name is ignored.
 */
public final class ConfigDiff {
  private ConfigDiff() {}

  /** Per config (same order), its differing "path=value" pairs in path order. */
  public static List<List<String>> of(List<JsonNode> configs) {
    List<Map<String, String>> flat = new ArrayList<>();
    TreeSet<String> paths = new TreeSet<>();
    for (JsonNode c : configs) {
      Map<String, String> m = new LinkedHashMap<>();
      if (c != null) {
        flatten("", c, m);
      }
      m.remove("name");
      flat.add(m);
      paths.addAll(m.keySet());
    }
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < flat.size(); i++) {
      out.add(new ArrayList<>());
    }
    for (String p : paths) {
      String first = flat.get(0).getOrDefault(p, "-");
      boolean differs = flat.stream().anyMatch(m -> !Objects.equals(m.getOrDefault(p, "-"), first));
      if (differs) {
        for (int i = 0; i < flat.size(); i++) {
          out.get(i).add(p + "=" + flat.get(i).getOrDefault(p, "-"));
        }
      }
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (!n.isNull()) {
      out.put(prefix, n.isTextual() ? n.asText() : n.toString());
    }
  }
}
