package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that trains run after run (the desktop app, a test suite) must not grow: the training
 * thread frees its step arenas after each run and shard thread k always runs shard k, keeping its
 * arena. Shard threads started per run (or shards handed to whichever pool thread is free) strand
 * about one half-batch step of native memory each (~250 MB here), which this test sees in the
 * resident set: at least 250 MB per run, so 750 MB or more over runs 3-5 (805 MB measured). With per-block
 * arenas glibc's heap moves by up to ~200 MB between runs without growing run after run (measured, MB:
 * 1119, 1135, 1275, 1333, 1334 and 1298, 1310, 1320, 1311, 1511). The bound sits between the two.
 */
class RepeatedRunsMemoryTest {
  @TempDir Path runs;

  @Test
  void runAfterRunWithShardsKeepsTheResidentSetFlat() throws Exception {
    List<Long> rss = new ArrayList<>();
    try (PluginRegistry reg = TinyRuns.registry()) {
      for (int i = 0; i < 5; i++) {
        // the embedded tiny-moe at T=128: two shards of 8 sequences, an arena of a few hundred MB each
        var cfg = ConfigLoader.load(null, List.of("name=mem" + i, "model.seqLen=128", "train.steps=4",
            "train.evalEvery=100", "train.checkpointEvery=100", "train.dataParallel=2"));
        // as the desktop app trains: through the run session, on its one reused training thread
        RunSession.start(cfg, reg, runs, new EventBus(), prepared -> { }).await();
        System.gc();
        Thread.sleep(200);
        rss.add(Pointer.physicalBytes());
      }
    }
    long growth = rss.get(4) - rss.get(1);
    String perRun = " (per run, MB: " + rss.stream().map(b -> b / 1_000_000).toList() + ")";
    assertTrue(growth < 400_000_000L, "resident set grew by " + growth / 1_000_000 + " MB over three runs after the"
        + " first two" + perRun);
  }
}
