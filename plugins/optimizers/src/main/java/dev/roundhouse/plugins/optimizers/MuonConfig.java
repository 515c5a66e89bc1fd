package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.ConfigFields;

/**
 * {@code {"type": "muon", "lr": 3e-3, ...}}; null fields default. Muon updates 2-D matrices only:
 * route every other parameter to another optimizer with an {@code optimizerGroups} entry.
 *
 * @param lr peak learning rate, default 1e-3, > 0; with the RMS matching below the same lr as
 *     AdamW works (the Moonlight recipe)
 * @param momentum default 0.95, in [0, 1)
 * @param nesterov Nesterov momentum, default true
 * @param weightDecay decoupled weight decay, default 0, >= 0
 * @param nsSteps Newton-Schulz iterations, default 5, >= 1
 * @param rmsMatch target update RMS, default 0.2 (AdamW's typical update RMS): the orthogonalised
 *     update of an [m, n] matrix is scaled by rmsMatch * sqrt(max(m, n))
 */
public record MuonConfig(Double lr, Double momentum, Boolean nesterov, Double weightDecay, Integer nsSteps,
    Double rmsMatch) {
  public MuonConfig {
    lr = ConfigFields.positive("lr", lr, 1e-3);
    momentum = ConfigFields.fraction("momentum", momentum, 0.95);
    nesterov = nesterov == null || nesterov;
    weightDecay = ConfigFields.nonNegative("weightDecay", weightDecay, 0.0);
    nsSteps = nsSteps == null ? 5 : nsSteps;
    rmsMatch = ConfigFields.positive("rmsMatch", rmsMatch, 0.2);
    if (nsSteps < 1) {
      throw new IllegalArgumentException("nsSteps: must be >= 1, got " + nsSteps);
    }
  }
}
