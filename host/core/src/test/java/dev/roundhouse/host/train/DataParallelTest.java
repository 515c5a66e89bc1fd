package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * train.dataParallel: shards on their own threads with weight-sharing replicas. In DOUBLE, with
 * losses that are means of per-sequence terms (cross-entropy, sequence-scope aux loss), two shards
 * must apply the gradient of one (read back from AdamW's first moment with beta1=0); replicas must
 * share the primary's weights and router state; runs must be deterministic and resume exactly.
 */
class DataParallelTest {
  @TempDir Path runs;

  private record Trained(TrainingRun run, List<RunEvent.Step> steps) {}

  private Trained train(PluginRegistry reg, String name, RunConfig cfg) {
    EventBus bus = new EventBus();
    List<RunEvent.Step> steps = new ArrayList<>();
    bus.subscribe(e -> {
      if (e instanceof RunEvent.Step s) {
        steps.add(s);
      }
    });
    TrainingRun run = RunFactory.create(cfg, reg, runs.resolve(name), bus);
    new Trainer(run).train();
    run.directory().close();
    return new Trained(run, steps);
  }

  @Test
  void twoShardsApplyTheSingleShardGradient() {
    String[] common = {"train.dtype=double", "train.steps=1", "train.gradClip=0", "train.evalBatches=1",
        "optimizer.beta1=0", "optimizer.weightDecay=0", "model.moe.router.auxLossScope=sequence",
        "model.moe.router.zLossCoef=0.001"};
    try (PluginRegistry reg = TinyRuns.registry()) {
      Trained one = train(reg, "dp1", TinyRuns.tiny(common));
      Trained two = train(reg, "dp2", TinyRuns.tiny(concat(common, "train.dataParallel=2")));
      assertEquals(1, two.run().shardReplicas().size());
      Map<String, INDArray> m1 = one.run().optimizer().state();
      Map<String, INDArray> m2 = two.run().optimizer().state();
      int compared = 0;
      for (Parameter p : one.run().parameters()) {
        INDArray a = m1.get("all/" + p.name() + "/m");
        INDArray b = m2.get("all/" + p.name() + "/m");
        assertNotNull(b, p.name());
        double scale = Math.max(1e-6, a.amaxNumber().doubleValue());
        double err = a.sub(b).amaxNumber().doubleValue();
        assertTrue(err <= 1e-9 * scale, p.name() + ": two-shard gradient differs by " + err + " (scale " + scale + ")");
        compared++;
      }
      assertTrue(compared > 10);
      RunEvent.Step s1 = one.steps().get(0);
      RunEvent.Step s2 = two.steps().get(0);
      assertEquals(s1.loss(), s2.loss(), 1e-12, "mean cross-entropy");
      assertEquals(s1.gradNorm(), s2.gradNorm(), 1e-9 * s1.gradNorm(), "gradient norm");
      assertEquals(s1.auxLosses().get("seq_aux"), s2.auxLosses().get("seq_aux"), 1e-12, "sequence aux loss");
      assertEquals(s1.auxLosses().get("z"), s2.auxLosses().get("z"), 1e-12, "z-loss");
    }
  }

  @Test
  void replicasShareWeightsAndTheRoutersBias() {
    RunConfig cfg = TinyRuns.tiny("train.steps=6", "train.dataParallel=4", "model.moe.router.type=sigmoid-topk",
        "model.moe.router.biasUpdateRate=0.01", "model.moe.router.auxLossCoef=0");
    try (PluginRegistry reg = TinyRuns.registry()) {
      Trained t = train(reg, "share", cfg);
      MoeTransformer primary = t.run().model();
      assertEquals(3, t.run().shardReplicas().size());
      INDArray bias = primary.moeLayers().get(1).router().expertBias();
      assertTrue(bias.amaxNumber().doubleValue() > 0, "the aux-loss-free bias must have moved");
      for (MoeTransformer r : t.run().shardReplicas()) {
        for (int i = 0; i < primary.parameters().size(); i++) {
          Parameter p = primary.parameters().get(i);
          Parameter q = r.parameters().get(i);
          assertEquals(p.name(), q.name());
          assertSame(p.data(), q.data(), p.name() + " must share its value array");
          assertTrue(p != q && p.grad() != q.grad(), p.name() + " must have its own gradient");
          assertEquals(0.0, q.grad().amaxNumber().doubleValue(), p.name() + ": replica gradient left over");
        }
        assertEquals(bias, r.moeLayers().get(1).router().expertBias(), "replica router bias");
      }
      assertEquals(6, t.steps().size());
    }
  }

  @Test
  void twoShardRunsAreDeterministicAndResumeExactly() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      String[] sets = {"train.dataParallel=2", "train.steps=12", "model.moe.router.noiseStd=0.1"};
      Path a = TrainerEndToEndTest.train(reg, runs.resolve("a"), sets);
      Path b = TrainerEndToEndTest.train(reg, runs.resolve("b"), sets);
      List<Double> la = TrainerEndToEndTest.stepLosses(a);
      assertEquals(la, TrainerEndToEndTest.stepLosses(b), "two identical two-shard runs");
      assertTrue(la.get(11) < la.get(0) - 0.5, "loss must fall: " + la);

      RunEvent.ExpertLoad load = MetricsReader.read(a.resolve("metrics.jsonl")).stream()
          .filter(e -> e instanceof RunEvent.ExpertLoad).map(e -> (RunEvent.ExpertLoad) e)
          .reduce((x, y) -> y).orElseThrow();
      // 4 sequences x 16 tokens x top-2 in the last step's window: both shards' routing is counted
      assertEquals(128, java.util.Arrays.stream(load.layers().get(0).tokensPerExpert()).sum());

      Runs.Prepared p = Runs.create(TinyRuns.tiny(sets), reg,
          runs.resolve("c"), new EventBus());
      p.run().events().subscribe(e -> {
        if (e instanceof RunEvent.Step s && s.step() == 10) {
          p.trainer().requestStop();
        }
      });
      assertTrue(Runs.execute(p).stopped());
      Runs.Prepared r = Runs.resume(p.run().directory().root(), reg, new EventBus(), false);
      Runs.execute(r);
      List<Double> resumed = TrainerEndToEndTest.stepLosses(p.run().directory().root());
      assertEquals(12, resumed.size());
      for (int i = 0; i < 12; i++) {
        assertEquals(la.get(i), resumed.get(i), 1e-6, "step " + (i + 1));
      }
    }
  }

  @Test
  void shardsMustDivideTheBatch() {
    ConfigException e = assertThrows(ConfigException.class, () -> TinyRuns.tiny("train.dataParallel=3"));
    assertTrue(e.getMessage().contains("train.dataParallel") && e.getMessage().contains("batchSize=4"),
        e.getMessage());
    ConfigException zero = assertThrows(ConfigException.class, () -> TinyRuns.tiny("train.dataParallel=0"));
    assertTrue(zero.getMessage().contains("train.dataParallel"), zero.getMessage());
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
