package dev.roundhouse.plugins.optimizers;

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
    lr = lr == null ? 1e-4 : lr;
    beta1 = beta1 == null ? 0.9 : beta1;
    beta2 = beta2 == null ? 0.99 : beta2;
    weightDecay = weightDecay == null ? 0.0 : weightDecay;
    Checks.positive("lr", lr);
    Checks.unitInterval("beta1", beta1);
    Checks.unitInterval("beta2", beta2);
    Checks.nonNegative("weightDecay", weightDecay);
  }
}
