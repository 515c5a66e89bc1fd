package dev.roundhouse.plugins.optimizers;

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
    lr = lr == null ? 1e-3 : lr;
    beta1 = beta1 == null ? 0.9 : beta1;
    beta2 = beta2 == null ? 0.95 : beta2;
    eps = eps == null ? 1e-8 : eps;
    weightDecay = weightDecay == null ? 0.0 : weightDecay;
    if (!(lr > 0) || lr.isInfinite()) {
      throw new IllegalArgumentException("lr: must be > 0 and finite, got " + lr);
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1: must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2: must be in [0, 1), got " + beta2);
    }
    if (!(eps > 0) || eps.isInfinite()) {
      throw new IllegalArgumentException("eps: must be > 0 and finite, got " + eps);
    }
    if (!(weightDecay >= 0) || weightDecay.isInfinite()) {
      throw new IllegalArgumentException("weightDecay: must be >= 0 and finite, got " + weightDecay);
    }
  }

  /** All defaults (a static factory, not a second constructor, so Jackson keeps using the canonical one). */
  public static AdamWConfig defaults() {
    return new AdamWConfig(null, null, null, null, null);
  }
}
