package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.run.Json;
import java.util.Map;

/**
 * One planned trial of a sweep: its folder name ({@code trial-007}), the axis values it takes ({@code point}: dotted
 * config path to value, in axis order, plus {@code "seed"} when the sweep repeats seeds) and its full run config
 * (base + set + point, {@code name} = id). Immutable; {@code config} must not be modified.
 */
public record Trial(int index, String id, Map<String, JsonNode> point, ObjectNode config) {
  /** The folder name of trial {@code index}. */
  public static String idOf(int index) {
    return String.format("trial-%03d", index);
  }

  /** The point as a JSON object. */
  public ObjectNode pointNode() {
    ObjectNode o = Json.mapper().createObjectNode();
    point.forEach(o::set);
    return o;
  }

  /** The point in one line, e.g. {@code model.moe.router={"type":"sigmoid-topk"} seed=2}. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    point.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return b.toString();
  }
}
