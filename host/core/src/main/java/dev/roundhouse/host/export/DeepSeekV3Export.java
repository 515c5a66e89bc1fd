package dev.roundhouse.host.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.config.MoeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The stock DeepSeek-V3 form of an export ({@code deepseek_v3/} in the export folder: config.json with
 * {@code model_type: deepseek_v3} and model.safetensors under DeepSeek-V3's names), written when the model
 * is in that family: every layer mla, sigmoid-topk routing without group limit (DeepSeek ranks groups
 * differently), shared experts as wide as routed ones (DeepSeek's one shared SwiGLU has hidden
 * n_shared x moe_intermediate_size) and normEps 1e-6 (DeepSeek's latent norms use rms_norm_eps,
 * Roundhouse's are fixed at 1e-6). Conversions from the Roundhouse export: the S shared experts are
 * concatenated along the hidden dim into {@code shared_experts}; {@code k_b_proj} and {@code v_b_proj}
 * are interleaved per head into {@code kv_b_proj} [H (dn + dv), r]; the RoPE rows of the query and of
 * the shared key are permuted from the rotate-half pairing (i, i + dr/2) to DeepSeek's interleaved pairs
 * (2i, 2i + 1). Stateless.
 */
public final class DeepSeekV3Export {
  public static final String FOLDER = "deepseek_v3";

  private DeepSeekV3Export() {}

  /** Why the model is not in the DeepSeek-V3 family, or null when it is. */
  public static String mismatch(ModelConfig m, JsonNode hfConfig) {
    for (JsonNode a : hfConfig.path("layer_attention")) {
      if (!a.path("type").asText().equals("mla")) {
        return "layer attention '" + a.path("type").asText() + "' is not mla";
      }
    }
    MoeConfig moe = m.moe();
    JsonNode router = hfConfig.path("router");
    if (moe.firstDenseLayers() < m.nLayers() && !router.path("type").asText().equals("sigmoid-topk")) {
      return "router '" + router.path("type").asText() + "' is not sigmoid-topk";
    }
    if (router.path("top_groups").asInt(1) < router.path("groups").asInt(1)) {
      return "group-limited routing ranks groups differently in DeepSeek-V3";
    }
    if (moe.sharedExperts() > 0 && !moe.sharedHidden().equals(moe.expertHidden())) {
      return "sharedHidden " + moe.sharedHidden() + " differs from expertHidden " + moe.expertHidden();
    }
    if (m.normEps() != 1e-6) {
      return "normEps " + m.normEps() + " is not 1e-6";
    }
    return null;
  }

  /** DeepSeek-V3's config.json for the model. */
  public static ObjectNode config(ModelConfig m, JsonNode hf) {
    JsonNode a = hf.path("layer_attention").path(0);
    JsonNode router = hf.path("router");
    MoeConfig moe = m.moe();
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.putArray("architectures").add("DeepseekV3ForCausalLM");
    c.put("model_type", "deepseek_v3");
    c.put("vocab_size", m.vocabSize());
    c.put("hidden_size", m.dModel());
    c.put("intermediate_size", moe.denseHidden());
    c.put("moe_intermediate_size", moe.expertHidden());
    c.put("num_hidden_layers", m.nLayers());
    c.put("num_attention_heads", m.nHeads());
    c.put("num_key_value_heads", m.nHeads());
    if (moe.sharedExperts() > 0) {
      c.put("n_shared_experts", moe.sharedExperts());
    } else {
      c.putNull("n_shared_experts");
    }
    c.put("n_routed_experts", moe.routedExperts());
    c.put("num_experts_per_tok", moe.topK());
    c.put("routed_scaling_factor", router.path("route_scale").asDouble(1.0));
    c.put("norm_topk_prob", router.path("normalize_top_k").asBoolean(true));
    c.put("scoring_func", "sigmoid");
    c.put("topk_method", "noaux_tc");
    c.put("n_group", 1);
    c.put("topk_group", 1);
    c.put("moe_layer_freq", 1);
    c.put("first_k_dense_replace", moe.firstDenseLayers());
    int qLora = a.path("q_lora_rank").asInt(0);
    if (qLora > 0) {
      c.put("q_lora_rank", qLora);
    } else {
      c.putNull("q_lora_rank");
    }
    c.put("kv_lora_rank", a.path("kv_lora_rank").asInt());
    c.put("qk_nope_head_dim", a.path("qk_nope_head_dim").asInt());
    c.put("qk_rope_head_dim", a.path("qk_rope_head_dim").asInt());
    c.put("v_head_dim", a.path("v_head_dim").asInt());
    c.put("hidden_act", "silu");
    c.put("max_position_embeddings", m.seqLen());
    c.put("rms_norm_eps", m.normEps());
    c.put("rope_theta", m.ropeTheta());
    c.putNull("rope_scaling");
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    c.put("tie_word_embeddings", m.tieEmbeddings());
    c.put("initializer_range", m.initStd());
    c.put("torch_dtype", "float32");
    c.putNull("bos_token_id");
    c.putNull("eos_token_id");
    return c;
  }

  /** DeepSeek-V3 tensors from the Roundhouse export tensors (see the class comment). */
  public static Map<String, INDArray> tensors(Map<String, INDArray> export, ModelConfig m, JsonNode hf) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    int h = m.nHeads();
    Map<Integer, List<String>> shared = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : export.entrySet()) {
      String n = e.getKey();
      INDArray v = e.getValue();
      int layer = n.startsWith("model.layers.") ? Integer.parseInt(n.split("\\.")[2]) : -1;
      JsonNode a = layer >= 0 ? hf.path("layer_attention").path(layer) : null;
      if (n.contains(".mlp.shared_experts.")) {
        shared.computeIfAbsent(layer, k -> new ArrayList<>()).add(n);
      } else if (n.endsWith(".self_attn.k_b_proj.weight")) {
        INDArray vb = export.get(n.replace("k_b_proj", "v_b_proj"));
        out.put(n.replace("k_b_proj", "kv_b_proj"), interleaveHeads(v, vb, h));
      } else if (n.endsWith(".self_attn.v_b_proj.weight")) {
        continue;
      } else if (n.endsWith(".self_attn.q_b_proj.weight") || n.endsWith(".self_attn.q_proj.weight")) {
        int dn = a.path("qk_nope_head_dim").asInt();
        int dr = a.path("qk_rope_head_dim").asInt();
        int[] perm = new int[h * (dn + dr)];
        for (int head = 0; head < h; head++) {
          int base = head * (dn + dr);
          for (int i = 0; i < dn; i++) {
            perm[base + i] = base + i;
          }
          fillRopePerm(perm, base + dn, dr);
        }
        out.put(n, rows(v, perm));
      } else if (n.endsWith(".self_attn.kv_a_proj_with_mqa.weight")) {
        int r = a.path("kv_lora_rank").asInt();
        int dr = a.path("qk_rope_head_dim").asInt();
        int[] perm = new int[r + dr];
        for (int i = 0; i < r; i++) {
          perm[i] = i;
        }
        fillRopePerm(perm, r, dr);
        out.put(n, rows(v, perm));
      } else {
        out.put(n, v);
      }
    }
    shared.forEach((layer, names) -> {
      String p = "model.layers." + layer + ".mlp.shared_experts.";
      int count = (int) names.stream().filter(s -> s.endsWith(".gate_proj.weight")).count();
      INDArray[] gate = new INDArray[count];
      INDArray[] up = new INDArray[count];
      INDArray[] down = new INDArray[count];
      for (int s = 0; s < count; s++) {
        gate[s] = export.get(p + s + ".gate_proj.weight");
        up[s] = export.get(p + s + ".up_proj.weight");
        down[s] = export.get(p + s + ".down_proj.weight");
      }
      out.put(p + "gate_proj.weight", Nd4j.concat(0, gate));
      out.put(p + "up_proj.weight", Nd4j.concat(0, up));
      out.put(p + "down_proj.weight", Nd4j.concat(1, down));
    });
    return out;
  }

  /** perm[at + 2i] = at + i, perm[at + 2i + 1] = at + i + dr/2: rotate-half rows to interleaved pairs. */
  static void fillRopePerm(int[] perm, int at, int dr) {
    int half = dr / 2;
    for (int i = 0; i < half; i++) {
      perm[at + 2 * i] = at + i;
      perm[at + 2 * i + 1] = at + i + half;
    }
  }

  private static INDArray rows(INDArray w, int[] perm) {
    INDArray out = Nd4j.create(w.dataType(), w.shape());
    for (int i = 0; i < perm.length; i++) {
      out.putRow(i, w.getRow(perm[i]));
    }
    return out;
  }

  /** k [H dn, r], v [H dv, r] -> [H (dn + dv), r]: per head its dn key rows, then its dv value rows. */
  private static INDArray interleaveHeads(INDArray k, INDArray v, int h) {
    long dn = k.size(0) / h;
    long dv = v.size(0) / h;
    INDArray[] parts = new INDArray[2 * h];
    for (int head = 0; head < h; head++) {
      parts[2 * head] = k.get(NDArrayIndex.interval(head * dn, (head + 1) * dn), NDArrayIndex.all());
      parts[2 * head + 1] = v.get(NDArrayIndex.interval(head * dv, (head + 1) * dv), NDArrayIndex.all());
    }
    return Nd4j.concat(0, parts);
  }
}
