package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.ConfigFields;

/**
 * Config of the {@code "softmax-topk"} router. Null fields take their defaults.
 *
 * @param auxLossCoef weight of the load-balancing aux loss coef * E * sum_i f_i * P_i (default 0.01;
 *     0 turns it off); finite, >= 0
 * @param auxLossScope where f_i is counted: "batch" (micro-batch, loss "aux", default), "sequence"
 *     (per sequence, DeepSeek-V3, loss "seq_aux") or "global" (all micro-batches of the optimizer
 *     step, loss "global_aux"); see {@link BalanceLosses}
 * @param zLossCoef weight of the router z-loss mean(logsumexp(logits)^2) (default 0 = off); >= 0
 * @param normalizeTopK renormalise the k selected gates of each token to sum to 1 (default false)
 * @param jitterEps multiplicative input jitter x * U(1 - eps, 1 + eps) in training (Switch; default 0
 *     = off); in [0, 1)
 * @param noiseStd std of Gaussian noise added to the logits in training (noisy top-k gating; default
 *     0 = off); >= 0
 * @param groups expert groups G for group-limited routing (default 1 = off); must divide E
 * @param topGroups groups kept per token, by their best probability (default G = no limit)
 */
public record SoftmaxTopKConfig(
    Double auxLossCoef,
    String auxLossScope,
    Double zLossCoef,
    Boolean normalizeTopK,
    Double jitterEps,
    Double noiseStd,
    Integer groups,
    Integer topGroups) {
  public static final double DEFAULT_AUX_LOSS_COEF = 0.01;
  private static final String ID = SoftmaxTopKRouterProvider.ID;

  public SoftmaxTopKConfig {
    auxLossCoef = ConfigFields.nonNegative("auxLossCoef", auxLossCoef, DEFAULT_AUX_LOSS_COEF);
    auxLossScope = Fields.scope(ID, auxLossScope);
    zLossCoef = ConfigFields.nonNegative("zLossCoef", zLossCoef, 0.0);
    normalizeTopK = normalizeTopK == null ? Boolean.FALSE : normalizeTopK;
    jitterEps = ConfigFields.fraction("jitterEps", jitterEps, 0.0);
    noiseStd = ConfigFields.nonNegative("noiseStd", noiseStd, 0.0);
    groups = ConfigFields.atLeast("groups", groups, 1, 1);
    topGroups = ConfigFields.atLeast("topGroups", topGroups, 1, groups);
  }

  /** All defaults. */
  public static SoftmaxTopKConfig defaults() {
    return new SoftmaxTopKConfig(null, null, null, null, null, null, null, null);
  }

  /** Only the losses set; everything else default. */
  public static SoftmaxTopKConfig losses(Double auxLossCoef, String auxLossScope, Double zLossCoef) {
    return new SoftmaxTopKConfig(auxLossCoef, auxLossScope, zLossCoef, null, null, null, null, null);
  }
}
