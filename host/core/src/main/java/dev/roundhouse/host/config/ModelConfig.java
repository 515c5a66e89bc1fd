package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Transformer shape. Attention per layer: {@code attentionLayers} (one plugin config per layer,
 * null entries fall back) wins; else layers whose 1-based index is a multiple of {@code globalEvery},
 * and the last layer when {@code globalLast}, use {@code globalAttention}; all others use
 * {@code attention}.
 */
public record ModelConfig(
    Integer vocabSize,
    Integer seqLen,
    Integer dModel,
    Integer nLayers,
    Integer nHeads,
    Double ropeTheta,
    Double normEps,
    Boolean tieEmbeddings,
    Double initStd,
    JsonNode attention,
    JsonNode globalAttention,
    Integer globalEvery,
    Boolean globalLast,
    List<JsonNode> attentionLayers,
    MoeConfig moe) {
  public ModelConfig {
    vocabSize = vocabSize == null ? 256 : vocabSize;
    seqLen = seqLen == null ? 256 : seqLen;
    dModel = dModel == null ? 256 : dModel;
    nLayers = nLayers == null ? 4 : nLayers;
    nHeads = nHeads == null ? 4 : nHeads;
    ropeTheta = ropeTheta == null ? 10000.0 : ropeTheta;
    normEps = normEps == null ? 1e-6 : normEps;
    tieEmbeddings = tieEmbeddings != null && tieEmbeddings;
    initStd = initStd == null ? 0.02 : initStd;
    attention = PluginSlot.ATTENTION.orDefault(attention);
    globalAttention = PluginSlot.GLOBAL_ATTENTION.orDefault(globalAttention);
    globalLast = globalLast != null && globalLast;
    moe = moe == null ? new MoeConfig(null, null, null, null, null, null, null, null, null, null) : moe;
  }

  /** The attention plugin config of layer {@code i} (0-based) and its JSON path. */
  public JsonNode attentionFor(int i) {
    if (attentionLayers != null && i < attentionLayers.size() && attentionLayers.get(i) != null
        && !attentionLayers.get(i).isNull()) {
      return attentionLayers.get(i);
    }
    boolean global = globalAttention != null
        && ((globalEvery != null && (i + 1) % globalEvery == 0) || (globalLast && i == nLayers - 1));
    return global ? globalAttention : attention;
  }

  public String attentionPathFor(int i) {
    if (attentionLayers != null && i < attentionLayers.size() && attentionLayers.get(i) != null
        && !attentionLayers.get(i).isNull()) {
      return PluginSlot.attentionLayer(i);
    }
    return (attentionFor(i) == globalAttention ? PluginSlot.GLOBAL_ATTENTION : PluginSlot.ATTENTION).path();
  }

  void check(String path, Problems p) {
    p.range(path + ".vocabSize", vocabSize, 2, 1 << 24);
    p.positive(path + ".seqLen", seqLen);
    p.positive(path + ".dModel", dModel);
    p.positive(path + ".nLayers", nLayers);
    p.positive(path + ".nHeads", nHeads);
    if (dModel > 0 && nHeads > 0 && dModel % nHeads != 0) {
      p.add(path + ".nHeads", "must divide dModel=" + dModel + ", got " + nHeads);
    }
    // finite and in ranges where training can work: a std of 1e30 gives a dead model, an eps of 1 no norm
    p.positiveAtMost(path + ".ropeTheta", ropeTheta, 1e9);
    p.positiveAtMost(path + ".normEps", normEps, 0.1);
    p.positiveAtMost(path + ".initStd", initStd, 1.0);
    if (globalEvery != null && globalEvery <= 0) {
      p.add(path + ".globalEvery", "must be > 0, got " + globalEvery);
    }
    if ((globalEvery != null || globalLast) && globalAttention == null) {
      p.add(path + ".globalAttention", "is required when globalEvery or globalLast is set");
    }
    if (attentionLayers != null && attentionLayers.size() != nLayers) {
      p.add(path + ".attentionLayers", "must list nLayers=" + nLayers + " entries (null = default), got "
          + attentionLayers.size());
    }
    moe.check(path + ".moe", nLayers, p);
  }
}
