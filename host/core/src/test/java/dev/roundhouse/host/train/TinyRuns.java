package dev.roundhouse.host.train;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Shared fixtures: the real plugin jars and a tiny MoE config that trains in seconds. */
final class TinyRuns {
  private TinyRuns() {}

  /** The plugins folder the build filled with the real plugin jars. */
  static Path pluginsDir() {
    String dir = System.getProperty("roundhouse.test.plugins");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "plugin jars not built");
    return Path.of(dir);
  }

  static PluginRegistry registry() {
    return new PluginRegistry(pluginsDir());
  }

  /**
   * Tiny MoE: 2 layers (1 dense, 1 MoE with 4 experts top-2), d=32, T=16, B=4, synthetic corpus, one
   * data-parallel shard (the embedded default has two; DataParallelTest covers them).
   */
  static RunConfig tiny(String... overrides) {
    List<String> sets = new ArrayList<>(List.of(
        "name=tiny", "data.syntheticBytes=60000",
        "model.seqLen=16", "model.dModel=32", "model.nLayers=2", "model.nHeads=2",
        "model.moe.firstDenseLayers=1", "model.moe.denseHidden=64", "model.moe.routedExperts=4",
        "model.moe.topK=2", "model.moe.expertHidden=16", "model.moe.sharedExperts=1",
        "model.moe.sharedHidden=32",
        "train.steps=30", "train.batchSize=4", "train.warmupSteps=5", "train.evalEvery=10",
        "train.evalBatches=2", "train.checkpointEvery=10", "train.logEvery=1", "train.dataParallel=1",
        "optimizer.lr=0.01"));
    sets.addAll(Arrays.asList(overrides));
    return ConfigLoader.load(null, sets);
  }
}
