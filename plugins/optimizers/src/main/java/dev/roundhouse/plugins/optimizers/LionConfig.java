package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.ConfigFields;

/**
 * {@code {"type": "lion", "lr": 1e-4, ...}}; null fields default.
 *
 * @param lr peak learning rate, default 1e-4, > 0 (typically 3-10x below AdamW's)
 * @param beta1 interpolation for the update direction, default 0.9, in [0, 1)
 * @param beta2 momentum decay, default 0.99, in [0, 1)
 * @param weightDecay decoupled weight decay, default 0, >= 0
 */
public record LionConfig(Double lr, Double beta1, Double beta2, Double weightDecay) {
  public LionConfig {
    lr = ConfigFields.positive("lr", lr, 1e-4);
    beta1 = ConfigFields.fraction("beta1", beta1, 0.9);
    beta2 = ConfigFields.fraction("beta2", beta2, 0.99);
    weightDecay = ConfigFields.nonNegative("weightDecay", weightDecay, 0.0);
  }
}
