package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.ConfigFields;

/**
 * AdamW hyper-parameters, read from {@code {"type": "adamw", "lr": 3e-4, ...}}; a null (absent)
 * field takes its default.
 *
 * @param lr peak learning rate, default 1e-3, must be > 0
 * @param beta1 first-moment decay, default 0.9, in [0, 1)
 * @param beta2 second-moment decay, default 0.95, in [0, 1)
 * @param eps denominator guard, default 1e-8, must be > 0
 * @param weightDecay decoupled weight decay, default 0, must be >= 0; applied only to parameters
 *     the group's decay predicate selects
 */
public record AdamWConfig(Double lr, Double beta1, Double beta2, Double eps, Double weightDecay) {
  public AdamWConfig {
    lr = ConfigFields.positive("lr", lr, 1e-3);
    beta1 = ConfigFields.fraction("beta1", beta1, 0.9);
    beta2 = ConfigFields.fraction("beta2", beta2, 0.95);
    eps = ConfigFields.positive("eps", eps, 1e-8);
    weightDecay = ConfigFields.nonNegative("weightDecay", weightDecay, 0.0);
  }

  /** All defaults (a static factory, not a second constructor, so Jackson keeps using the canonical one). */
  public static AdamWConfig defaults() {
    return new AdamWConfig(null, null, null, null, null);
  }
}
