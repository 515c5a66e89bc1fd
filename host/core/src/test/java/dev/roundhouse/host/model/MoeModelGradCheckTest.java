package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Finite-difference check of a whole tiny MoE language model in DOUBLE, built by {@link ModelBuilder}
 * from a config with the real plugins: V=11, T=4, B=2, d=8, layer 0 dense, layer 1 MoE with 4
 * experts top-2 plus 1 shared expert; the loss is cross-entropy plus the router's aux loss. The
 * router weight and a norm gain are checked element by element with {@link GradCheck}; embedding,
 * attention, dense FFN, expert, shared-expert, norm and head weights at sampled elements (the one with
 * the largest gradient and three random ones), to keep the test to seconds. Top-k choices are
 * piecewise constant; with this seed no near-tie flips under the probe step.
 */
class MoeModelGradCheckTest {
  @Test
  void wholeModelLossGradientsMatchFiniteDifferences() {
    ModelConfig cfg = ConfigLoader.load(null, List.of(
        "model.vocabSize=11", "model.seqLen=4", "model.dModel=8", "model.nLayers=2", "model.nHeads=2",
        "model.initStd=0.3", "model.moe.firstDenseLayers=1", "model.moe.denseHidden=12",
        "model.moe.routedExperts=4", "model.moe.topK=2", "model.moe.expertHidden=6",
        "model.moe.sharedExperts=1", "model.moe.sharedHidden=10",
        "model.moe.router={\"type\":\"softmax-topk\",\"auxLossCoef\":0.1}")).model();
    int batch = 2;
    int seqLen = 4;
    Random rnd = new Random(3);
    int[] inputs = new int[batch * seqLen];
    int[] targets = new int[batch * seqLen];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = rnd.nextInt(11);
      targets[i] = rnd.nextInt(11);
    }
    try (PluginRegistry reg = ModelKit.registry()) {
      MoeTransformer model = ModelBuilder.build(cfg, ModelKit.plugins(cfg, reg), ModelKit.fp32(reg), 42, DataType.DOUBLE);
      Map<String, Parameter> byName = model.parameters().stream()
          .collect(Collectors.toMap(Parameter::name, p -> p));
      List<String> names = List.of("embedding", "layers.0.attn.wq", "layers.0.ffn.w2", "layers.1.attn.wv",
          "layers.1.moe.router.weight", "layers.1.moe.experts.2.w1", "layers.1.moe.experts.0.w2",
          "layers.1.moe.shared.0.w3", "layers.1.ffn_norm", "final_norm", "head");
      List<Parameter> checked = names.stream().map(n -> {
        assertTrue(byName.containsKey(n), "no parameter " + n + " in " + byName.keySet());
        return byName.get(n);
      }).toList();
      checked.forEach(p -> assertEquals(DataType.DOUBLE, p.dataType(), p.name()));

      var loss = model.loss(inputs, targets, batch, seqLen);
      assertTrue(loss.routerLosses().containsKey("aux"), "aux loss must be part of the checked total");

      // Small parameters, every element: GradCheck.
      List<Parameter> whole = List.of(byName.get("layers.1.moe.router.weight"), byName.get("layers.1.ffn_norm"));
      GradCheck.Result r = GradCheck.check(ps -> model.loss(inputs, targets, batch, seqLen).total(), whole, 1e-5);
      assertTrue(r.max() < 1e-6, "router weight / ffn_norm relative errors " + r.relativeErrors());

      // Every listed parameter, sampled elements (the largest gradient plus random ones).
      model.parameters().forEach(Parameter::zeroGrad);
      model.loss(inputs, targets, batch, seqLen).total().backward();
      for (Parameter p : checked) {
        INDArray analytic = p.grad().dup().reshape(p.numel());
        double scale = Math.max(analytic.amaxNumber().doubleValue(), 1e-8);
        assertTrue(scale > 1e-6, p.name() + " has no gradient");
        long[] elems = {Nd4j.argMax(Transforms.abs(analytic)).getLong(0),
            rnd.nextInt((int) p.numel()), rnd.nextInt((int) p.numel()), rnd.nextInt((int) p.numel())};
        INDArray flat = p.data().reshape(p.numel());
        for (long i : elems) {
          double numeric = centralDifference(flat, i, 1e-5,
              () -> model.loss(inputs, targets, batch, seqLen).total().item());
          double err = Math.abs(analytic.getDouble(i) - numeric) / scale;
          assertTrue(err < 1e-6, p.name() + "[" + i + "]: analytic " + analytic.getDouble(i) + ", numeric "
              + numeric + ", relative error " + err);
        }
      }
    }
  }

  /** (L(w + eps) - L(w - eps)) / (2 eps) for one element of {@code flat} (a view of the parameter). */
  static double centralDifference(INDArray flat, long i, double eps, DoubleSupplier loss) {
    double orig = flat.getDouble(i);
    try (NoGrad ng = NoGrad.enter()) {
      flat.putScalar(i, orig + eps);
      double plus = loss.getAsDouble();
      flat.putScalar(i, orig - eps);
      double minus = loss.getAsDouble();
      return (plus - minus) / (2 * eps);
    } finally {
      flat.putScalar(i, orig);
    }
  }
}
