package dev.roundhouse.plugins.optimizers;

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
    lr = lr == null ? 1e-3 : lr;
    momentum = momentum == null ? 0.95 : momentum;
    nesterov = nesterov == null || nesterov;
    weightDecay = weightDecay == null ? 0.0 : weightDecay;
    nsSteps = nsSteps == null ? 5 : nsSteps;
    rmsMatch = rmsMatch == null ? 0.2 : rmsMatch;
    Checks.positive("lr", lr);
    Checks.unitInterval("momentum", momentum);
    Checks.nonNegative("weightDecay", weightDecay);
    if (nsSteps < 1) {
      throw new IllegalArgumentException("nsSteps: must be >= 1, got " + nsSteps);
    }
    Checks.positive("rmsMatch", rmsMatch);
  }
}
