package dev.roundhouse.host.export;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The inverse of {@link DeepSeekV3Export}: a stock DeepSeek-V3 folder (config.json with
 * {@code model_type: deepseek_v3}, model.safetensors under DeepSeek-V3's names) as Roundhouse config
 * overrides ({@link #overrides}) and as tensors under {@link HfNames} ({@link #tensors}). Config fields
 * Roundhouse cannot represent are refused with an error naming the field; multi-token-prediction layers
 * ({@code num_nextn_predict_layers}, stored after the last layer) are left out. Stateless.
 */
public final class DeepSeekV3Import {
  public static final String MODEL_TYPE = "deepseek_v3";

  private DeepSeekV3Import() {}

  /** Whether {@code hfConfig} (a config.json) is DeepSeek-V3's. */
  public static boolean is(JsonNode hfConfig) {
    return hfConfig.path("model_type").asText("").equals(MODEL_TYPE);
  }

  /** Roundhouse run-config overrides ({@code path=value}) for the model described by DeepSeek-V3's config.json. */
  public static List<String> overrides(JsonNode c) {
    int heads = required(c, "num_attention_heads");
    if (c.hasNonNull("num_key_value_heads") && c.path("num_key_value_heads").asInt() != heads) {
      throw unsupported("num_key_value_heads", c, "Roundhouse's mla has one kv head per query head");
    }
    refuseUnless(c, "scoring_func", "sigmoid", "Roundhouse's sigmoid-topk router is DeepSeek-V3's sigmoid scoring");
    refuseUnless(c, "hidden_act", "silu", "Roundhouse's experts are SwiGLU");
    if (c.path("moe_layer_freq").asInt(1) != 1) {
      throw unsupported("moe_layer_freq", c, "every layer after first_k_dense_replace is MoE in Roundhouse");
    }
    if (c.path("topk_group").asInt(1) < c.path("n_group").asInt(1)) {
      throw unsupported("topk_group", c, "group-limited routing ranks groups differently in Roundhouse");
    }
    if (c.hasNonNull("rope_scaling")) {
      throw unsupported("rope_scaling", c, "Roundhouse has plain RoPE");
    }
    if (c.hasNonNull("quantization_config")) {
      throw unsupported("quantization_config", c, "import reads unquantized weights; dequantize to bf16/fp32 first");
    }
    if (c.path("attention_bias").asBoolean(false)) {
      throw unsupported("attention_bias", c, "Roundhouse's projections have no bias");
    }
    double eps = c.path("rms_norm_eps").asDouble(1e-6);
    if (eps != 1e-6) {
      throw unsupported("rms_norm_eps", c, "Roundhouse's latent norms are fixed at 1e-6");
    }
    int layers = required(c, "num_hidden_layers");
    int firstDense = Math.min(c.path("first_k_dense_replace").asInt(0), layers);
    int routed = c.path("n_routed_experts").asInt(0);
    if (firstDense < layers && routed <= 0) {
      throw unsupported("n_routed_experts", c, "MoE layers need routed experts");
    }
    int shared = c.path("n_shared_experts").asInt(0);
    int expertHidden = c.path("moe_intermediate_size").asInt(0);
    List<String> s = new ArrayList<>();
    s.add("model.vocabSize=" + required(c, "vocab_size"));
    s.add("model.seqLen=" + required(c, "max_position_embeddings"));
    s.add("model.dModel=" + required(c, "hidden_size"));
    s.add("model.nLayers=" + layers);
    s.add("model.nHeads=" + heads);
    s.add("model.ropeTheta=" + c.path("rope_theta").asDouble(10000.0));
    s.add("model.normEps=" + eps);
    s.add("model.tieEmbeddings=" + c.path("tie_word_embeddings").asBoolean(false));
    if (c.hasNonNull("initializer_range")) {
      s.add("model.initStd=" + c.path("initializer_range").asDouble());
    }
    int qLora = c.path("q_lora_rank").asInt(0);
    s.add("model.attention={\"type\":\"mla\"" + (qLora > 0 ? ",\"qLoraRank\":" + qLora : "")
        + ",\"kvLoraRank\":" + required(c, "kv_lora_rank") + ",\"nopeDim\":" + required(c, "qk_nope_head_dim")
        + ",\"ropeDim\":" + required(c, "qk_rope_head_dim") + ",\"vDim\":" + required(c, "v_head_dim") + "}");
    s.add("model.moe.firstDenseLayers=" + firstDense);
    s.add("model.moe.denseHidden=" + required(c, "intermediate_size"));
    if (routed > 0) {
      s.add("model.moe.routedExperts=" + routed);
      s.add("model.moe.topK=" + required(c, "num_experts_per_tok"));
      s.add("model.moe.expertHidden=" + expertHidden);
    }
    s.add("model.moe.sharedExperts=" + shared);
    if (shared > 0) {
      s.add("model.moe.sharedHidden=" + expertHidden);
    }
    s.add("model.moe.router={\"type\":\"sigmoid-topk\",\"routeScale\":" + c.path("routed_scaling_factor").asDouble(1.0)
        + ",\"normalizeTopK\":" + c.path("norm_topk_prob").asBoolean(true) + "}");
    return s;
  }

  /** Roundhouse export tensors ({@link HfNames}) from DeepSeek-V3's tensors; the inverse of {@link DeepSeekV3Export#tensors}. */
  public static Map<String, INDArray> tensors(Map<String, INDArray> ds, JsonNode c) {
    int h = c.path("num_attention_heads").asInt();
    int dn = c.path("qk_nope_head_dim").asInt();
    int dr = c.path("qk_rope_head_dim").asInt();
    int dv = c.path("v_head_dim").asInt();
    int r = c.path("kv_lora_rank").asInt();
    int shared = c.path("n_shared_experts").asInt(0);
    int layers = c.path("num_hidden_layers").asInt();
    boolean mtp = c.path("num_nextn_predict_layers").asInt(0) > 0;
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : ds.entrySet()) {
      String n = e.getKey();
      INDArray v = e.getValue();
      if (mtp && n.startsWith("model.layers.") && Integer.parseInt(n.split("\\.")[2]) >= layers) {
        continue; // multi-token-prediction layers after the last one: Roundhouse has no MTP head
      }
      if (n.endsWith(".self_attn.kv_b_proj.weight") && v.rank() == 2 && v.size(0) == (long) h * (dn + dv)) {
        INDArray[] k = new INDArray[h];
        INDArray[] val = new INDArray[h];
        for (int head = 0; head < h; head++) {
          long base = (long) head * (dn + dv);
          k[head] = v.get(NDArrayIndex.interval(base, base + dn), NDArrayIndex.all());
          val[head] = v.get(NDArrayIndex.interval(base + dn, base + dn + dv), NDArrayIndex.all());
        }
        out.put(n.replace("kv_b_proj", "k_b_proj"), Nd4j.concat(0, k));
        out.put(n.replace("kv_b_proj", "v_b_proj"), Nd4j.concat(0, val));
      } else if ((n.endsWith(".self_attn.q_b_proj.weight") || n.endsWith(".self_attn.q_proj.weight"))
          && v.rank() == 2 && v.size(0) == (long) h * (dn + dr)) {
        int[] perm = new int[h * (dn + dr)];
        for (int head = 0; head < h; head++) {
          int base = head * (dn + dr);
          for (int i = 0; i < dn; i++) {
            perm[base + i] = base + i;
          }
          DeepSeekV3Export.fillRopePerm(perm, base + dn, dr);
        }
        out.put(n, unpermuteRows(v, perm));
      } else if (n.endsWith(".self_attn.kv_a_proj_with_mqa.weight") && v.rank() == 2 && v.size(0) == r + dr) {
        int[] perm = new int[r + dr];
        for (int i = 0; i < r; i++) {
          perm[i] = i;
        }
        DeepSeekV3Export.fillRopePerm(perm, r, dr);
        out.put(n, unpermuteRows(v, perm));
      } else if (n.contains(".mlp.shared_experts.") && shared > 0) {
        String p = n.substring(0, n.indexOf(".mlp.shared_experts.") + ".mlp.shared_experts.".length());
        String leaf = n.substring(p.length());
        int axis = leaf.equals("down_proj.weight") ? 1 : 0;
        long width = v.size(axis) / shared;
        for (int s = 0; s < shared; s++) {
          INDArray part = axis == 0 ? v.get(NDArrayIndex.interval(s * width, (s + 1) * width), NDArrayIndex.all())
              : v.get(NDArrayIndex.all(), NDArrayIndex.interval(s * width, (s + 1) * width));
          out.put(p + s + "." + leaf, part.dup());
        }
      } else {
        out.put(n, v);
      }
    }
    return out;
  }

  /** The DeepSeek-V3 tensor that export tensor {@code name} comes from (for errors). */
  public static String sourceName(String name) {
    return name.replaceFirst("\\.self_attn\\.[kv]_b_proj\\.", ".self_attn.kv_b_proj.")
        .replaceFirst("\\.mlp\\.shared_experts\\.\\d+\\.", ".mlp.shared_experts.");
  }

  /** out[perm[i]] = w[i]: undoes {@code out[i] = w[perm[i]]}. */
  private static INDArray unpermuteRows(INDArray w, int[] perm) {
    INDArray out = Nd4j.create(w.dataType(), w.shape());
    for (int i = 0; i < perm.length; i++) {
      out.putRow(perm[i], w.getRow(i));
    }
    return out;
  }

  private static int required(JsonNode c, String field) {
    if (!c.path(field).isNumber()) {
      throw new ExportException("DeepSeek-V3 config.json: field '" + field + "' is missing or not a number");
    }
    return c.path(field).asInt();
  }

  private static void refuseUnless(JsonNode c, String field, String expected, String why) {
    if (c.hasNonNull(field) && !c.path(field).asText().equals(expected)) {
      throw unsupported(field, c, why);
    }
  }

  private static ExportException unsupported(String field, JsonNode c, String why) {
    return new ExportException("DeepSeek-V3 config.json: field '" + field + "' = " + c.path(field)
        + " is not supported (" + why + ")");
  }
}
