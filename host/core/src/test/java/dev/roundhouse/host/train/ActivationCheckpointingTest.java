package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.prepare.Preparer;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.MemoryPhases;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train.activationCheckpointing re-runs part of each block in backward instead of keeping its
 * activations. The re-run is the same ops on the same values with the same random draws, walked
 * in the same order, so training must be bit-identical to the run without it: losses, gradient
 * norms and every weight after several steps (each step's update depends on the exact gradient).
 * Checked in DOUBLE with router noise and jitter, sequence aux and z-loss, two data-parallel shards
 * and gradient accumulation (the noise's micro-batch counter), with the aux-loss-free bias router,
 * with bf16 compute in float, in both arena layouts, and across a resume.
 */
class ActivationCheckpointingTest {
  private static final String[] MODES = {"attention", "moe", "block"};

  @TempDir Path runs;

  @Test
  void noisyRouterWithShardsAndAccumulationTrainsBitIdenticallyInEveryMode() {
    String[] sets = {"train.dtype=double", "train.steps=3", "model.nLayers=3", "train.dataParallel=2",
        "train.gradAccum=2", "model.moe.router.noiseStd=0.5", "model.moe.router.jitterEps=0.1",
        "model.moe.router.auxLossScope=sequence", "model.moe.router.zLossCoef=0.001"};
    assertEveryModeIdentical(sets, true);
  }

  @Test
  void auxFreeBiasRouterTrainsBitIdenticallyInEveryMode() {
    assertEveryModeIdentical(new String[] {"train.dtype=double", "train.steps=4", "model.moe.router.type=sigmoid-topk",
        "model.moe.router.biasUpdateRate=0.05", "model.moe.router.auxLossCoef=0.01"}, true);
  }

  @Test
  void bf16ComputeAndTheSingleStepArenaTrainBitIdentically() {
    assertEveryModeIdentical(new String[] {"train.steps=3", "precision.type=bf16-mixed",
        "model.moe.router.noiseStd=0.3"}, true);
    assertEveryModeIdentical(new String[] {"train.steps=3", "model.moe.router.noiseStd=0.3"}, false);
  }

  @Test
  void documentMaskingTrainsBitIdenticallyInEveryMode() throws Exception {
    // the re-run must see the same document ids as the first pass (packed documents, EOS separators)
    Path mix = runs.resolveSibling(runs.getFileName() + "-mix.json");
    java.nio.file.Files.writeString(mix, "{\"tokenizer\": {\"type\": \"byte\"}, \"valFraction\": 0.1, \"sources\": ["
        + "{\"name\": \"arithmetic\", \"synthetic\": \"arithmetic\", \"documents\": 200},"
        + "{\"name\": \"english\", \"synthetic\": \"english\", \"documents\": 200}]}");
    Path data = runs.resolveSibling(runs.getFileName() + "-prepared");
    Preparer.prepare(Preparer.load(mix), data, s -> { });
    assertEveryModeIdentical(new String[] {"train.dtype=double", "train.steps=3", "data.prepared=" + data,
        "data.documentMask=true", "model.seqLen=64", "train.dataParallel=2"}, true);
  }

  @Test
  void blockRecomputeKeepsOnlyTheBlockInputsInTheBlockArenas() {
    String[] sets = {"train.steps=4", "model.nLayers=3", "train.batchSize=8"};
    long none = blockArenaBytes(train(TinyRuns.tiny(sets), true, "mem-none").arenas);
    Trace block = train(TinyRuns.tiny(concat(sets, "train.activationCheckpointing=block")), true, "mem-block");
    long kept = blockArenaBytes(block.arenas);
    assertTrue(block.arenas.containsKey("recompute"),
        "the re-run's own arena was used: " + block.arenas.keySet());
    // without recompute a block's arena holds every activation its backward reads (tens of arrays of
    // [N, d] and [N, hidden]); with it, the block input's copy, the output and the routing's gates/losses
    assertTrue(kept * 4 < none, "block arenas hold " + kept + " bytes with block recompute, " + none + " without");
  }

  @Test
  void evaluationFreesEachBlockAndGivesTheSameLogits() {
    try (PluginRegistry reg = TinyRuns.registry()) {
      TrainingRun run = RunFactory.create(TinyRuns.tiny("train.steps=2", "model.nLayers=3"), reg, runs.resolve("eval"),
          new EventBus());
      new Trainer(run).train();
      run.directory().close();
      int[] inputs = new int[4 * 16];
      for (int i = 0; i < inputs.length; i++) {
        inputs[i] = (i * 7 + 3) % 256;
      }
      double[] plain;
      double[] scoped;
      long evalArena;
      try (NoGrad ng = NoGrad.enter()) {
        plain = run.model().logits(inputs, 4, 16).data().dup().data().asDouble(); // no arena: nothing to free
        try (StepArena arena = StepArena.open("eval-test")) {
          scoped = run.model().logits(inputs, 4, 16).data().data().asDouble();
          evalArena = arena.bytesThisStep();
        }
      }
      assertArrayEquals(plain, scoped, 0.0, "logits with each block's temporaries freed");
      long recompute = MemoryPhases.workspaces().get("eval-test/block1")[1];
      // the evaluation arena holds the block outputs and the head, not the blocks' temporaries
      assertTrue(recompute > 0 && evalArena < 3 * recompute, "eval arena " + evalArena + " bytes, one block "
          + recompute);
      StepArena.releaseThreadArenas();
    }
  }

  @Test
  void blockRecomputeResumesExactly() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      String[] sets = {"train.activationCheckpointing=block", "train.dataParallel=2", "train.steps=8",
          "train.checkpointEvery=4", "model.moe.router.noiseStd=0.1"};
      Path a = TrainerEndToEndTest.train(reg, runs.resolve("a"), sets);
      List<Double> la = TrainerEndToEndTest.stepLosses(a);
      assertTrue(la.get(7) < la.get(0), "loss must fall: " + la);
      Runs.Prepared p = Runs.create(TinyRuns.tiny(sets), reg, runs.resolve("c"), new EventBus());
      p.run().events().subscribe(e -> {
        if (e instanceof RunEvent.Step s && s.step() == 5) {
          p.trainer().requestStop();
        }
      });
      assertTrue(Runs.execute(p).stopped());
      Runs.execute(Runs.resume(p.run().directory().root(), reg, new EventBus(), false));
      assertEquals(la, TrainerEndToEndTest.stepLosses(p.run().directory().root()), "resumed run");
    }
  }

  @Test
  void anUnknownModeIsAConfigErrorNamingTheField() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TinyRuns.tiny("train.activationCheckpointing=full"));
    assertTrue(e.getMessage().contains("train.activationCheckpointing") && e.getMessage().contains("none, attention, moe, block")
        && e.getMessage().contains("\"full\""), e.getMessage());
  }

  private void assertEveryModeIdentical(String[] sets, boolean perBlock) {
    Trace none = train(TinyRuns.tiny(sets), perBlock, "none-" + runs.toFile().list().length);
    assertEquals(Integer.parseInt(Arrays.stream(sets).filter(s -> s.startsWith("train.steps="))
        .findFirst().orElseThrow().substring(12)), none.losses.size(), "every step logged");
    for (String mode : MODES) {
      String what = mode + " with " + String.join(" ", sets) + (perBlock ? "" : " (single step arena)");
      Trace t = train(TinyRuns.tiny(concat(sets, "train.activationCheckpointing=" + mode)), perBlock,
          mode + "-" + runs.toFile().list().length);
      assertEquals(none.losses, t.losses, "losses, " + what);
      assertEquals(none.auxLosses, t.auxLosses, "router losses, " + what);
      assertEquals(none.gradNorms, t.gradNorms, "gradient norms, " + what);
      for (int i = 0; i < none.weights.size(); i++) {
        assertArrayEquals(none.weights.get(i), t.weights.get(i), 0.0, "parameter " + i + ", " + what);
      }
    }
  }

  private static long blockArenaBytes(Map<String, long[]> arenas) {
    return arenas.entrySet().stream().filter(e -> e.getKey().startsWith("train/block"))
        .mapToLong(e -> e.getValue()[1]).sum();
  }

  private record Trace(List<Double> losses, List<Map<String, Double>> auxLosses, List<Double> gradNorms,
      List<double[]> weights, Map<String, long[]> arenas) {}

  private Trace train(RunConfig cfg, boolean perBlock, String dir) {
    boolean before = StepArena.perBlockArenas(perBlock);
    try (PluginRegistry reg = TinyRuns.registry()) {
      EventBus bus = new EventBus();
      List<Double> losses = new ArrayList<>();
      List<Map<String, Double>> aux = new ArrayList<>();
      List<Double> norms = new ArrayList<>();
      bus.subscribe(e -> {
        if (e instanceof RunEvent.Step s) {
          losses.add(s.loss());
          aux.add(s.auxLosses());
          norms.add(s.gradNorm());
        }
      });
      TrainingRun run = RunFactory.create(cfg, reg, runs.resolve(dir), bus);
      new Trainer(run).train();
      run.directory().close();
      Map<String, long[]> arenas = MemoryPhases.workspaces();
      List<double[]> weights = new ArrayList<>();
      for (Parameter p : run.parameters()) {
        weights.add(p.data().data().asDouble());
      }
      StepArena.releaseThreadArenas();
      return new Trace(losses, aux, norms, weights, arenas);
    } finally {
      StepArena.perBlockArenas(before);
    }
  }

  private static String[] concat(String[] a, String b) {
    String[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
