package dev.roundhouse.host.train;

import dev.roundhouse.host.export.HfExport;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;

/** {@code roundhouse export}: opens a run's checkpoint for inference and writes it with {@link HfExport}. Stateless. */
public final class RunExport {
  private RunExport() {}

  /** Exports checkpoint {@code step} (null: the newest good one) of {@code runDir} to {@code out}; returns out. */
  public static Path export(Path runDir, Long step, Path out, PluginRegistry registry) {
    Inference inf = Inference.open(runDir, registry, step);
    return HfExport.export(runDir, inf.config(), inf.model(), inf.step(), out, registry);
  }
}
