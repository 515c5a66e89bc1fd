package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.OptimizerProvider;
import org.pf4j.Extension;

/** {@code "muon"}: Muon: momentum orthogonalised by Newton-Schulz, RMS-matched to AdamW (2-D matrices only). Stateless; see {@link Muon} for the update rule. */
@Extension
public final class MuonProvider implements OptimizerProvider<MuonConfig> {
  @Override
  public String id() {
    return "muon";
  }

  @Override
  public Class<MuonConfig> configType() {
    return MuonConfig.class;
  }

  @Override
  public Optimizer build(MuonConfig config, OptimizerContext context) {
    return new Muon(config, context);
  }

  @Override
  public String description() {
    return "Muon: momentum orthogonalised by Newton-Schulz, RMS-matched to AdamW (2-D matrices only)";
  }
}
