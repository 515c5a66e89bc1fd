package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient accumulation in DOUBLE: the gradient the trainer applies after gradAccum=2 micro-batches
 * equals the mean of the two micro-batches' gradients computed separately, and the logged loss is
 * their mean cross-entropy. The applied gradient is read back from AdamW's first moment, which with
 * beta1=0 is exactly the gradient of the first step (clipping off).
 */
class GradAccumTest {
  static final double TOL = 1e-6;
  @TempDir Path runs;

  @Test
  void accumulatedGradientIsTheMeanOfTheMicroBatchGradients() {
    RunConfig cfg = TinyRuns.tiny("train.dtype=double", "train.steps=1", "train.batchSize=2", "train.gradAccum=2",
        "train.gradClip=0", "train.evalBatches=1", "optimizer.beta1=0", "optimizer.weightDecay=0");
    try (PluginRegistry reg = TinyRuns.registry()) {
      // The trainer's step.
      EventBus bus = new EventBus();
      AtomicReference<RunEvent.Step> logged = new AtomicReference<>();
      bus.subscribe(e -> {
        if (e instanceof RunEvent.Step s) {
          logged.set(s);
        }
      });
      TrainingRun trained = RunFactory.create(cfg, reg, runs.resolve("accum"), bus);
      assertEquals(DataType.DOUBLE, trained.parameters().get(0).dataType());
      new Trainer(trained).train();
      trained.directory().close();
      Map<String, INDArray> state = trained.optimizer().state();

      // The same run, freshly built (same seed: same weights, same batches), one micro-batch at a time.
      TrainingRun fresh = RunFactory.create(cfg, reg, runs.resolve("separate"), new EventBus());
      fresh.directory().close();
      MoeTransformer model = fresh.model();
      List<Parameter> params = fresh.parameters();
      List<List<INDArray>> grads = new ArrayList<>();
      double ceSum = 0;
      for (int micro = 0; micro < 2; micro++) {
        try (StepArena arena = StepArena.open("accum-test")) {
          Batch b = fresh.loader().next();
          assertEquals(2, b.rows());
          MoeTransformer.Loss loss = model.loss(b.inputs(), b.targets(), b.rows(), b.seqLen());
          ceSum += loss.crossEntropy().item();
          params.forEach(Parameter::zeroGrad);
          loss.total().backward();
          List<INDArray> g = new ArrayList<>();
          params.forEach(p -> g.add(StepArena.outside(() -> p.grad().dup())));
          grads.add(g);
        }
      }

      double sq = 0;
      double diff = 0;
      for (int i = 0; i < params.size(); i++) {
        String name = params.get(i).name();
        INDArray expected = grads.get(0).get(i).add(grads.get(1).get(i)).divi(2);
        INDArray applied = state.get("all/" + name + "/m");
        assertNotNull(applied, "no optimizer moment for " + name);
        assertArrayEquals(expected.shape(), applied.shape(), name);
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double err = expected.sub(applied).amaxNumber().doubleValue();
        assertTrue(err <= TOL * scale, name + ": accumulated gradient differs from the mean by " + err);
        double n = expected.norm2Number().doubleValue();
        sq += n * n;
        double d = grads.get(0).get(i).sub(grads.get(1).get(i)).norm2Number().doubleValue();
        diff += d * d;
      }
      double norm = Math.sqrt(sq);
      assertTrue(Math.sqrt(diff) > 0.05 * norm, "the two micro-batches must give different gradients");

      RunEvent.Step step = logged.get();
      assertNotNull(step, "no step event");
      assertEquals(ceSum / 2, step.loss(), 1e-9, "logged loss is the mean micro-batch cross-entropy");
      assertEquals(norm, step.gradNorm(), 1e-9 * norm, "logged grad_norm is the norm of the mean gradient");
    }
  }
}
