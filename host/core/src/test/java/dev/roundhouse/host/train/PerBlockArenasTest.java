package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.MemoryPhases;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-block arenas (closed in backward order, gradients rescued into earlier blocks) change where
 * arrays live, never a value: training with them gives bit-identical losses, gradient norms and
 * weights to training in one step arena, with one and with two data-parallel shards and with
 * gradient accumulation. Enough steps (6) that every arena has learned its size and reuses its block.
 */
class PerBlockArenasTest {
  @TempDir Path runs;

  @Test
  void trainingIsBitIdenticalWithAndWithoutPerBlockArenas() {
    for (String[] sets : new String[][] {{"train.steps=6"}, {"train.steps=6", "train.dataParallel=2"},
        {"train.steps=6", "train.gradAccum=2", "train.batchSize=2"}}) {
      RunConfig cfg = TinyRuns.tiny(sets);
      Trace blocks = train(cfg, true, "blocks" + sets.length);
      var arenas = MemoryPhases.workspaces().keySet();
      assertTrue(arenas.contains("train/block0") && arenas.contains("train/block2") && arenas.contains("train/backward"),
          "per-block arenas were used: " + arenas);
      Trace step = train(cfg, false, "step" + sets.length);
      assertEquals(step.losses, blocks.losses, "losses differ for " + String.join(" ", sets));
      assertEquals(step.gradNorms, blocks.gradNorms, "gradient norms differ for " + String.join(" ", sets));
      assertEquals(step.weights.size(), blocks.weights.size());
      for (int i = 0; i < step.weights.size(); i++) {
        assertArrayEquals(step.weights.get(i), blocks.weights.get(i), 0.0, "parameter " + i + " differs");
      }
      assertTrue(step.losses.size() == 6, "every step logged");
    }
  }

  private record Trace(List<Double> losses, List<Double> gradNorms, List<double[]> weights) {}

  private Trace train(RunConfig cfg, boolean perBlock, String dir) {
    boolean before = StepArena.perBlockArenas(perBlock);
    try (PluginRegistry reg = TinyRuns.registry()) {
      EventBus bus = new EventBus();
      List<Double> losses = new ArrayList<>();
      List<Double> norms = new ArrayList<>();
      bus.subscribe(e -> {
        if (e instanceof RunEvent.Step s) {
          losses.add(s.loss());
          norms.add(s.gradNorm());
        }
      });
      TrainingRun run = RunFactory.create(cfg, reg, runs.resolve(dir), bus);
      new Trainer(run).train();
      run.directory().close();
      List<double[]> weights = new ArrayList<>();
      for (Parameter p : run.parameters()) {
        weights.add(p.data().data().asDouble());
      }
      return new Trace(losses, norms, weights);
    } finally {
      StepArena.perBlockArenas(before);
    }
  }
}
