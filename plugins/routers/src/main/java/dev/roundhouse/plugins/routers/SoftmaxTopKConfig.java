package dev.roundhouse.plugins.routers;

/**
 * Config of the {@code "softmax-topk"} router. Null fields take their defaults.
 *
 * @param auxLossCoef weight of the Switch load-balancing loss E * sum_i f_i * P_i (default 0.01; 0
 *     turns it off); must be finite and >= 0
 * @param zLossCoef weight of the router z-loss mean(logsumexp(logits)^2) (default 0 = off); must be
 *     finite and >= 0
 * @param normalizeTopK renormalise the k selected gates of each token to sum to 1 (default false)
 */
public record SoftmaxTopKConfig(Double auxLossCoef, Double zLossCoef, Boolean normalizeTopK) {
  public static final double DEFAULT_AUX_LOSS_COEF = 0.01;

  public SoftmaxTopKConfig {
    auxLossCoef = nonNegative("auxLossCoef", auxLossCoef, DEFAULT_AUX_LOSS_COEF);
    zLossCoef = nonNegative("zLossCoef", zLossCoef, 0.0);
    normalizeTopK = normalizeTopK == null ? Boolean.FALSE : normalizeTopK;
  }

  /** All defaults. */
  public static SoftmaxTopKConfig defaults() {
    return new SoftmaxTopKConfig(null, null, null);
  }

  private static Double nonNegative(String field, Double value, double fallback) {
    if (value == null) {
      return fallback;
    }
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException(field + ": must be a finite number >= 0, got " + value);
    }
    return value;
  }
}
