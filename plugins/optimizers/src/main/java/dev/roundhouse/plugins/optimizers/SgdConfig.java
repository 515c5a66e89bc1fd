package dev.roundhouse.plugins.optimizers;

/**
 * {@code {"type": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true}}; null fields default.
 *
 * @param lr peak learning rate, default 0.1, > 0
 * @param momentum heavy-ball coefficient, default 0.9, in [0, 1)
 * @param nesterov Nesterov look-ahead, default false (needs momentum > 0)
 * @param weightDecay decoupled weight decay, default 0, >= 0
 */
public record SgdConfig(Double lr, Double momentum, Boolean nesterov, Double weightDecay) {
  public SgdConfig {
    lr = lr == null ? 0.1 : lr;
    momentum = momentum == null ? 0.9 : momentum;
    nesterov = nesterov != null && nesterov;
    weightDecay = weightDecay == null ? 0.0 : weightDecay;
    Checks.positive("lr", lr);
    Checks.unitInterval("momentum", momentum);
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("nesterov: needs momentum > 0");
    }
    Checks.nonNegative("weightDecay", weightDecay);
  }
}
