package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.ConfigFields;

/**
 * Config of the {@code "sigmoid-topk"} router (DeepSeek-V3 style). Null fields take their defaults.
 *
 * @param routeScale factor on the gates after normalisation (DeepSeek-V3's routed scaling factor;
 *     default 1.0); finite, > 0
 * @param normalizeTopK divide the k chosen scores by their sum (default true)
 * @param biasUpdateRate aux-loss-free balancing rate u: after each optimizer step bias_i -= u *
 *     (sign(load_i - mean load) - mean(sign)) (default 1e-3; 0 = no balancing, bias stays 0); >= 0
 * @param biasClamp clamp |bias_i| to this after each update (default null = no clamp); > 0
 * @param auxLossCoef weight of the aux loss on normalised scores s_i / sum_j s_j (default 0 = off)
 * @param auxLossScope "batch" (default), "sequence" (DeepSeek-V3's sequence-wise loss) or "global"
 * @param zLossCoef weight of the router z-loss (default 0 = off)
 * @param groups expert groups G for group-limited routing (default 1 = off); must divide E
 * @param topGroups groups kept per token, by their best biased score (default G = no limit)
 */
public record SigmoidTopKConfig(
    Double routeScale,
    Boolean normalizeTopK,
    Double biasUpdateRate,
    Double biasClamp,
    Double auxLossCoef,
    String auxLossScope,
    Double zLossCoef,
    Integer groups,
    Integer topGroups) {
  public static final double DEFAULT_BIAS_UPDATE_RATE = 1e-3;
  private static final String ID = SigmoidTopKRouterProvider.ID;

  public SigmoidTopKConfig {
    routeScale = ConfigFields.positive("routeScale", routeScale, 1.0);
    normalizeTopK = normalizeTopK == null ? Boolean.TRUE : normalizeTopK;
    biasUpdateRate = ConfigFields.nonNegative("biasUpdateRate", biasUpdateRate, DEFAULT_BIAS_UPDATE_RATE);
    biasClamp = biasClamp == null ? null : ConfigFields.positive("biasClamp", biasClamp, 0);
    auxLossCoef = ConfigFields.nonNegative("auxLossCoef", auxLossCoef, 0.0);
    auxLossScope = Fields.scope(ID, auxLossScope);
    zLossCoef = ConfigFields.nonNegative("zLossCoef", zLossCoef, 0.0);
    groups = ConfigFields.atLeast("groups", groups, 1, 1);
    topGroups = ConfigFields.atLeast("topGroups", topGroups, 1, groups);
  }

  /** All defaults. */
  public static SigmoidTopKConfig defaults() {
    return new SigmoidTopKConfig(null, null, null, null, null, null, null, null, null);
  }
}
