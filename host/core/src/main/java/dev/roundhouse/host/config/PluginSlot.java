package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Where a run config holds a plugin section ({@code {"type": id, ...fields}}): its JSON path, the
 * plugin kind it names and the id used when the section is absent. The one place each path and
 * each default id is spelled; records, validation, the resolved config, model building and the
 * app's Compose screen all read them from here. Per-layer and per-group paths are made by
 * {@link #attentionLayer(int)} and {@link #groupOptimizer(int)}.
 */
public enum PluginSlot {
  ATTENTION("model.attention", "attention", "mha"),
  /** Optional: used by the layers {@code model.globalEvery}/{@code globalLast} pick; no default. */
  GLOBAL_ATTENTION("model.globalAttention", "attention", null),
  ROUTER("model.moe.router", "router", "softmax-topk"),
  PRECISION("precision", "precision", "fp32"),
  OPTIMIZER("optimizer", "optimizer", "adamw");

  /** The JSON path of the per-layer attention list. */
  public static final String ATTENTION_LAYERS = "model.attentionLayers";
  /** The JSON path of the optimizer groups list. */
  public static final String OPTIMIZER_GROUPS = "optimizerGroups";

  private final String path;
  private final String kind;
  private final String defaultId;

  PluginSlot(String path, String kind, String defaultId) {
    this.path = path;
    this.kind = kind;
    this.defaultId = defaultId;
  }

  /** JSON path in the run config, e.g. {@code "model.moe.router"}. */
  public String path() {
    return path;
  }

  /** The plugin kind's label, e.g. {@code "router"} (the registry's {@code Kind.label()}). */
  public String kind() {
    return kind;
  }

  /** The id used when the section is absent; empty for optional sections. */
  public Optional<String> defaultId() {
    return Optional.ofNullable(defaultId);
  }

  /** {@code {"type": defaultId}}, the section an absent one stands for (null for optional sections). */
  ObjectNode defaultSection() {
    return defaultId == null ? null : typed(defaultId);
  }

  /** {@code section} when present, else {@link #defaultSection()}. */
  JsonNode orDefault(JsonNode section) {
    return absent(section) ? defaultSection() : section;
  }

  /** The slot at {@code path}, if one is there. */
  public static Optional<PluginSlot> at(String path) {
    for (PluginSlot s : values()) {
      if (s.path.equals(path)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** {@code model.attentionLayers[i]}: layer {@code i}'s own attention section. */
  public static String attentionLayer(int i) {
    return ATTENTION_LAYERS + "[" + i + "]";
  }

  /** {@code optimizerGroups[i].optimizer}: group {@code i}'s own optimizer section. */
  public static String groupOptimizer(int i) {
    return OPTIMIZER_GROUPS + "[" + i + "].optimizer";
  }

  /** Java null or a JSON null (as in a resolved config written back to disk). */
  static boolean absent(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode();
  }

  static ObjectNode typed(String type) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", type);
    return n;
  }
}
