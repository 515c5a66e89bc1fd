package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * FFN layout: the first {@code firstDenseLayers} layers use a dense SwiGLU of {@code denseHidden};
 * the others are MoE layers with {@code routedExperts} fine-grained experts of {@code expertHidden},
 * {@code topK} chosen by the router plugin, plus {@code sharedExperts} always-on experts of
 * {@code sharedHidden}. {@code capacityFactor} null = dropless; else each expert keeps at most
 * ceil(capacityFactor * assignments / routedExperts) assignments per micro-batch and drops the rest by
 * {@code dropPolicy}: "position" (default; keeps the earliest tokens) or "gate" (keeps the largest gates).
 */
public record MoeConfig(
    Integer firstDenseLayers,
    Integer denseHidden,
    Integer routedExperts,
    Integer topK,
    Integer expertHidden,
    Integer sharedExperts,
    Integer sharedHidden,
    Double capacityFactor,
    String dropPolicy,
    JsonNode router) {
  public MoeConfig {
    firstDenseLayers = firstDenseLayers == null ? 1 : firstDenseLayers;
    denseHidden = denseHidden == null ? 768 : denseHidden;
    routedExperts = routedExperts == null ? 16 : routedExperts;
    topK = topK == null ? 2 : topK;
    expertHidden = expertHidden == null ? 128 : expertHidden;
    sharedExperts = sharedExperts == null ? 1 : sharedExperts;
    sharedHidden = sharedHidden == null ? 256 : sharedHidden;
    dropPolicy = dropPolicy == null ? "position" : dropPolicy;
    router = PluginSlot.ROUTER.orDefault(router);
  }

  void check(String path, int nLayers, Problems p) {
    p.range(path + ".firstDenseLayers", firstDenseLayers, 0, nLayers);
    p.positive(path + ".denseHidden", denseHidden);
    p.positive(path + ".routedExperts", routedExperts);
    p.positive(path + ".expertHidden", expertHidden);
    p.nonNegative(path + ".sharedExperts", sharedExperts);
    p.positive(path + ".sharedHidden", sharedHidden);
    if (topK < 1 || topK > routedExperts) {
      p.add(path + ".topK", "must be in [1, routedExperts=" + routedExperts + "], got " + topK);
    }
    // above routedExperts nothing can be dropped, so 1000 is far past any useful value
    if (p.finite(path + ".capacityFactor", capacityFactor) && capacityFactor != null
        && (capacityFactor <= 0 || capacityFactor > 1000)) {
      p.add(path + ".capacityFactor", "must be > 0 and <= 1000, or null (dropless), got " + capacityFactor);
    }
    if (!dropPolicy.equals("position") && !dropPolicy.equals("gate")) {
      p.add(path + ".dropPolicy", "must be \"position\" or \"gate\", got \"" + Problems.cut(dropPolicy) + "\"");
    }
    if (!router.isObject() || !router.hasNonNull("type")) {
      p.add(PluginSlot.ROUTER.path(), "must be an object with a \"type\" naming a router plugin");
    }
  }
}
