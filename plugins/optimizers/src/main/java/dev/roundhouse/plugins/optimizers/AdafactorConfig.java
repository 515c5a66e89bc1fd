package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.ConfigFields;

/**
 * {@code {"type": "adafactor", "lr": 1e-2, ...}}; null fields default. Explicit learning rate (no
 * relative step size, no parameter-scale multiplier).
 *
 * @param lr peak learning rate, default 1e-2, > 0
 * @param decayRate second-moment decay exponent: beta2_t = 1 - t^decayRate, default -0.8, < 0
 * @param beta1 first-moment decay; default 0 (none, the memory-light setting), in [0, 1)
 * @param eps added to squared gradients, default 1e-30, > 0
 * @param clipThreshold update RMS clip d: U /= max(1, RMS(U)/d), default 1, > 0
 * @param weightDecay decoupled weight decay, default 0, >= 0
 */
public record AdafactorConfig(Double lr, Double decayRate, Double beta1, Double eps, Double clipThreshold,
    Double weightDecay) {
  public AdafactorConfig {
    lr = ConfigFields.positive("lr", lr, 1e-2);
    decayRate = decayRate == null ? -0.8 : decayRate;
    beta1 = ConfigFields.fraction("beta1", beta1, 0.0);
    eps = ConfigFields.positive("eps", eps, 1e-30);
    clipThreshold = ConfigFields.positive("clipThreshold", clipThreshold, 1.0);
    weightDecay = ConfigFields.nonNegative("weightDecay", weightDecay, 0.0);
    if (!(decayRate < 0)) {
      throw new IllegalArgumentException("decayRate: must be < 0, got " + decayRate);
    }
  }
}
