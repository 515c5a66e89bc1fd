package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.export.ExportException;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * init.upcycle: a dense run (2 dense layers, hidden 64) trained a few steps initialises an MoE whose
 * second layer becomes routed experts (copies, or granular slices of the hidden dim) with a uniform
 * router; the upcycled model's first forward equals the dense model's within float tolerance.
 */
class UpcycleTest {
  static PluginRegistry registry;
  @TempDir static Path tmp;
  static Path dense;

  @BeforeAll
  static void open() {
    registry = TinyRuns.registry();
    Runs.Prepared p = Runs.create(TinyRuns.tiny("name=dense", "model.moe.firstDenseLayers=2",
        "model.moe.denseHidden=64", "train.steps=6", "train.warmupSteps=2", "train.evalEvery=6",
        "train.checkpointEvery=6"), registry, tmp.resolve("dense"), new EventBus());
    Runs.execute(p);
    dense = p.run().directory().root();
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  static TrainingRun upcycled(String... sets) {
    List<String> all = new ArrayList<>(List.of("name=moe", "model.moe.firstDenseLayers=1",
        "model.moe.denseHidden=64", "init.upcycle=\"" + dense + "\""));
    all.addAll(List.of(sets));
    return Runs.create(TinyRuns.tiny(all.toArray(String[]::new)), registry, tmp.resolve("moe"), new EventBus()).run();
  }

  @ParameterizedTest(name = "{0}, {1} experts of {2} (top-{3})")
  @CsvSource({
      "softmax-topk, 4, 64, 2", // copies: every expert is the dense FFN
      "softmax-topk, 4, 32, 2", // granular: 2 slices, each chosen once
      "sigmoid-topk, 8, 16, 4", // granular: 4 slices, normalised sigmoid gates
  })
  void firstForwardEqualsTheDenseModelWithAUniformRouter(String router, int experts, int hidden, int topK) {
    TrainingRun run = upcycled("model.moe.router={\"type\":\"" + router + "\"}", "model.moe.routedExperts=" + experts,
        "model.moe.expertHidden=" + hidden, "model.moe.topK=" + topK);
    try {
      Inference d = Inference.open(dense, registry);
      int t = d.config().model().seqLen();
      int[] tokens = new SplittableRandom(3).ints(4 * t, 0, 256).toArray();
      float[] want = HfExportParityTest.logits(d.model(), tokens, 4, t);
      float[] got = HfExportParityTest.logits(run.model(), tokens, 4, t);
      double worst = 0;
      for (int i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(want[i] - got[i]));
      }
      assertTrue(worst <= 1e-5, router + " " + hidden + ": max abs logit diff " + worst);
    } finally {
      run.directory().close();
    }
  }

  @Test
  void unevenSliceCoverageIsRefused() {
    ExportException e = assertThrows(ExportException.class, () -> upcycled("model.moe.routedExperts=4",
        "model.moe.expertHidden=32", "model.moe.topK=1"));
    assertTrue(e.getMessage().contains("multiple of 2"), e.getMessage());
  }

  @Test
  void routerStartsSmallWhenAsked() {
    TrainingRun run = upcycled("init.routerStd=0.001", "model.moe.routedExperts=4", "model.moe.expertHidden=64");
    try {
      double max = run.model().moeLayers().get(1).router().parameters().get(0).data().amaxNumber().doubleValue();
      assertTrue(max > 0 && max < 0.01, "router weights " + max);
    } finally {
      run.directory().close();
    }
  }
}
