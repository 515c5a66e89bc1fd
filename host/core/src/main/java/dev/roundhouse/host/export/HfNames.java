package dev.roundhouse.host.export;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Roundhouse parameter names to Hugging Face-style tensor names (DeepSeek-V3 / Llama family), as
 * listed in docs/export.md. Weights keep Roundhouse's [out, in] layout, which is torch's Linear layout.
 * Stateless.
 */
public final class HfNames {
  private static final Pattern LAYER = Pattern.compile("layers\\.(\\d+)\\.(.+)");
  private static final Pattern EXPERT = Pattern.compile("moe\\.(experts|shared)\\.(\\d+)\\.(w[123])");
  private static final Map<String, String> SWIGLU = Map.of("w1", "gate_proj", "w3", "up_proj", "w2", "down_proj");
  private static final Map<String, String> MHA = Map.of("wq", "q_proj", "wk", "k_proj", "wv", "v_proj",
      "wo", "o_proj", "q_norm", "q_norm", "k_norm", "k_norm");
  private static final Map<String, String> MLA = Map.of("wq", "q_proj", "wdq", "q_a_proj", "q_norm", "q_a_layernorm",
      "wuq", "q_b_proj", "wdkv", "kv_a_proj_with_mqa", "kv_norm", "kv_a_layernorm", "wuk", "k_b_proj",
      "wuv", "v_b_proj", "wo", "o_proj");

  private HfNames() {}

  /** The expert-bias tensor of MoE layer {@code layer} (sigmoid-topk). */
  public static String expertBias(int layer) {
    return "model.layers." + layer + ".mlp.gate.e_score_correction_bias";
  }

  /**
   * The export name of parameter {@code name}; {@code attentionType} is the type of its layer's
   * attention (names differ between mha-like blocks and mla). Unknown names throw, naming them.
   */
  public static String of(String name, String attentionType) {
    switch (name) {
      case "embedding":
        return "model.embed_tokens.weight";
      case "final_norm":
        return "model.norm.weight";
      case "head":
        return "lm_head.weight";
      default:
        break;
    }
    Matcher m = LAYER.matcher(name);
    if (!m.matches()) {
      throw unknown(name);
    }
    String p = "model.layers." + m.group(1) + ".";
    String rest = m.group(2);
    if (rest.equals("attn_norm")) {
      return p + "input_layernorm.weight";
    }
    if (rest.equals("ffn_norm")) {
      return p + "post_attention_layernorm.weight";
    }
    if (rest.startsWith("attn.")) {
      String leaf = rest.substring(5);
      String hf = (attentionType.equals("mla") ? MLA : MHA).get(leaf);
      if (hf == null) {
        throw unknown(name);
      }
      return p + "self_attn." + hf + ".weight";
    }
    if (rest.startsWith("ffn.") && SWIGLU.containsKey(rest.substring(4))) {
      return p + "mlp." + SWIGLU.get(rest.substring(4)) + ".weight";
    }
    if (rest.equals("moe.router.weight")) {
      return p + "mlp.gate.weight";
    }
    Matcher e = EXPERT.matcher(rest);
    if (e.matches()) {
      String group = e.group(1).equals("experts") ? "experts" : "shared_experts";
      return p + "mlp." + group + "." + e.group(2) + "." + SWIGLU.get(e.group(3)) + ".weight";
    }
    throw unknown(name);
  }

  private static ExportException unknown(String name) {
    return new ExportException("parameter '" + name + "' has no export name (docs/export.md lists the mapped ones)");
  }
}
