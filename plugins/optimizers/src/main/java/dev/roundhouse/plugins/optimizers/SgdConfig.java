package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.ConfigFields;

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
    lr = ConfigFields.positive("lr", lr, 0.1);
    momentum = ConfigFields.fraction("momentum", momentum, 0.9);
    nesterov = nesterov != null && nesterov;
    weightDecay = ConfigFields.nonNegative("weightDecay", weightDecay, 0.0);
    if (nesterov && momentum == 0) {
      throw ConfigFields.invalid("nesterov", "needs momentum > 0");
    }
  }
}
