package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.ConfigFields;

/**
 * Config of the {@code "expert-choice"} router. Null fields take their defaults.
 *
 * @param capacityFactor each expert takes C = min(N, ceil(N * k / E * capacityFactor)) tokens
 *     (default 1.0: on average k experts per token); finite, > 0
 * @param zLossCoef weight of the router z-loss mean(logsumexp(logits)^2) (default 0 = off); >= 0
 */
public record ExpertChoiceConfig(Double capacityFactor, Double zLossCoef) {
  private static final String ID = ExpertChoiceRouterProvider.ID;

  public ExpertChoiceConfig {
    capacityFactor = ConfigFields.positive("capacityFactor", capacityFactor, 1.0);
    zLossCoef = ConfigFields.nonNegative("zLossCoef", zLossCoef, 0.0);
  }

  /** All defaults. */
  public static ExpertChoiceConfig defaults() {
    return new ExpertChoiceConfig(null, null);
  }
}
