package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** What changed between two resolved configs (a resume's check against the checkpoint's config). */
public final class ConfigChanges {
  private ConfigChanges() {}

  /** Keys whose values differ between two resolved configs, as JSON paths. */
  public static List<String> changedKeys(JsonNode a, JsonNode b, String path) {
    List<String> out = new ArrayList<>();
    if (a != null && b != null && a.isObject() && b.isObject()) {
      List<String> names = new ArrayList<>();
      a.fieldNames().forEachRemaining(names::add);
      for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
        String k = it.next().getKey();
        if (!names.contains(k)) {
          names.add(k);
        }
      }
      for (String k : names) {
        out.addAll(changedKeys(a.get(k), b.get(k), path.isEmpty() ? k : path + "." + k));
      }
    } else if (a != null && b != null && a.isNumber() && b.isNumber()) {
      if (a.decimalValue().compareTo(b.decimalValue()) != 0) {
        out.add(path);
      }
    } else if (a == null ? b != null : !a.equals(b)) {
      out.add(path);
    }
    return out;
  }
}
