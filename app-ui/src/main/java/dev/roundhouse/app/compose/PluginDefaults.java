package dev.roundhouse.app.compose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.config.ConfigLoader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plugin's config defaults as the host's registry describes them ({@code PluginRegistry.configFields}:
 * {@code "lr=0.001"}, {@code "dropPolicy=\"gate\""}, {@code "window=null"} when the component decides, {@code
 * "dim (Integer)"} when required), as the texts the Compose form shows.
 */
final class PluginDefaults {
  private PluginDefaults() {}

  /** Field name to default text; "" where there is none (required, or left to the component). */
  static Map<String, String> parse(List<String> described) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String d : described) {
      int eq = d.indexOf('=');
      if (eq <= 0) {
        int sp = d.indexOf(' ');
        out.put(sp < 0 ? d : d.substring(0, sp), "");
        continue;
      }
      String json = d.substring(eq + 1);
      String text;
      try {
        JsonNode v = ConfigLoader.mapper().readTree(json);
        text = v == null || v.isNull() ? "" : ConfigTrees.text(v);
      } catch (JsonProcessingException e) {
        text = json;
      }
      out.put(d.substring(0, eq), text);
    }
    return out;
  }
}
