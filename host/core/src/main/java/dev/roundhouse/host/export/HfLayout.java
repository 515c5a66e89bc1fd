package dev.roundhouse.host.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.config.MoeConfig;
import dev.roundhouse.host.model.Block;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.ExtensionInfo;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code config.json} of an export: Hugging Face-style fields (DeepSeek-V3 names where they mean
 * the same), the per-layer attention of modeling_roundhouse.py and the router. Attention dims are
 * read from the parameter shapes, so plugin defaults never need repeating here. Components the
 * modeling file cannot represent are refused naming the component, the layer and the plugin.
 */
public final class HfLayout {
  /** Attention plugin ids modeling_roundhouse.py implements. */
  public static final List<String> ATTENTION = List.of("mha", "gqa", "swa", "mla");
  /** Router plugin ids modeling_roundhouse.py implements (inference semantics). */
  public static final List<String> ROUTERS = List.of("softmax-topk", "sigmoid-topk");

  private HfLayout() {}

  public static ObjectNode config(ModelConfig m, MoeTransformer model, PluginRegistry registry) {
    Map<String, Parameter> params = new LinkedHashMap<>();
    model.parameters().forEach(p -> params.put(p.name(), p));
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode c = f.objectNode();
    c.putArray("architectures").add("RoundhouseForCausalLM");
    c.put("model_type", "roundhouse");
    ObjectNode autoMap = c.putObject("auto_map");
    autoMap.put("AutoConfig", "modeling_roundhouse.RoundhouseConfig");
    autoMap.put("AutoModelForCausalLM", "modeling_roundhouse.RoundhouseForCausalLM");
    c.put("vocab_size", m.vocabSize());
    c.put("hidden_size", m.dModel());
    c.put("num_hidden_layers", m.nLayers());
    c.put("num_attention_heads", m.nHeads());
    c.put("max_position_embeddings", m.seqLen());
    c.put("rope_theta", m.ropeTheta());
    c.put("rms_norm_eps", m.normEps());
    c.put("tie_word_embeddings", m.tieEmbeddings());
    c.put("torch_dtype", "float32");
    MoeConfig moe = m.moe();
    c.put("first_k_dense_replace", moe.firstDenseLayers());
    c.put("intermediate_size", moe.denseHidden());
    c.put("moe_intermediate_size", moe.expertHidden());
    c.put("n_routed_experts", moe.routedExperts());
    c.put("num_experts_per_tok", moe.topK());
    c.put("n_shared_experts", moe.sharedExperts());
    c.put("shared_intermediate_size", moe.sharedHidden());
    if (moe.firstDenseLayers() < m.nLayers()) {
      c.set("router", router(moe.router(), registry));
    }
    ArrayNode layers = c.putArray("layer_attention");
    for (int i = 0; i < m.nLayers(); i++) {
      Block b = model.blocks().get(i);
      layers.add(attention(i, b.attentionId(), m.attentionFor(i), m, params, registry));
    }
    return c;
  }

  private static ObjectNode attention(int i, String type, JsonNode cfg, ModelConfig m, Map<String, Parameter> params,
      PluginRegistry registry) {
    if (!ATTENTION.contains(type)) {
      throw unsupported("attention '" + type + "' of layer " + i, Kind.ATTENTION, type, registry, ATTENTION);
    }
    ObjectNode a = JsonNodeFactory.instance.objectNode();
    a.put("type", type);
    String p = "layers." + i + ".attn.";
    int hd = m.dModel() / m.nHeads();
    if (type.equals("mla")) {
      int r = (int) params.get(p + "kv_norm").size(0);
      a.put("q_lora_rank", params.containsKey(p + "wdq") ? (int) params.get(p + "wdq").size(0) : 0);
      a.put("kv_lora_rank", r);
      a.put("qk_nope_head_dim", (int) params.get(p + "wuk").size(0) / m.nHeads());
      a.put("qk_rope_head_dim", (int) params.get(p + "wdkv").size(0) - r);
      a.put("v_head_dim", (int) params.get(p + "wuv").size(0) / m.nHeads());
      return a;
    }
    double fraction = cfg.path("ropeFraction").isNumber() ? cfg.path("ropeFraction").asDouble() : 1.0;
    a.put("num_key_value_heads", (int) params.get(p + "wk").size(0) / hd);
    a.put("rotary_dim", 2 * (int) Math.floor(hd * fraction / 2.0 + 1e-9));
    a.put("qk_norm", params.containsKey(p + "q_norm"));
    a.put("soft_cap", cfg.path("softCap").asDouble(0.0));
    a.put("window", type.equals("swa") ? cfg.path("window").asInt(128) : 0);
    return a;
  }

  private static ObjectNode router(JsonNode cfg, PluginRegistry registry) {
    String type = cfg.path("type").asText();
    if (!ROUTERS.contains(type)) {
      throw unsupported("router '" + type + "' (model.moe.router)", Kind.ROUTER, type, registry, ROUTERS);
    }
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("type", type);
    boolean sigmoid = type.equals("sigmoid-topk");
    r.put("normalize_top_k", cfg.path("normalizeTopK").isBoolean() ? cfg.path("normalizeTopK").asBoolean() : sigmoid);
    r.put("route_scale", sigmoid ? cfg.path("routeScale").asDouble(1.0) : 1.0);
    int groups = cfg.path("groups").asInt(1);
    r.put("groups", groups);
    r.put("top_groups", cfg.path("topGroups").isNumber() ? cfg.path("topGroups").asInt() : groups);
    return r;
  }

  private static ExportException unsupported(String what, Kind kind, String id, PluginRegistry registry,
      List<String> supported) {
    String plugin;
    try {
      ExtensionInfo info = registry.info(kind, id);
      plugin = info.pluginId() == null ? "built-in" : "plugin " + info.pluginId() + " " + info.version();
    } catch (RuntimeException e) {
      plugin = "plugin unknown";
    }
    return new ExportException(what + " (" + plugin + ") cannot be represented by modeling_roundhouse.py, which"
        + " supports " + String.join(", ", supported));
  }
}
