package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.registry.PluginRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The start-up summary's forward FLOPs per token, counted by hand for an MHA MoE (each matmul once). */
class ModelSummaryTest {
  @Test
  void forwardFlopsCountEveryActiveMatmulOnce() {
    ModelConfig m = ConfigLoader.load(null, List.of("model.vocabSize=64", "model.seqLen=16", "model.dModel=32",
        "model.nLayers=3", "model.nHeads=4", "model.moe.firstDenseLayers=1", "model.moe.denseHidden=48",
        "model.moe.routedExperts=8", "model.moe.topK=2", "model.moe.expertHidden=16", "model.moe.sharedExperts=1",
        "model.moe.sharedHidden=24")).model();
    try (PluginRegistry reg = ModelKit.registry()) {
      MoeTransformer model = ModelBuilder.build(m, ModelKit.plugins(m, reg), ModelKit.fp32(reg), 1, DataType.FLOAT);
      long d = 32;
      long t = 16;
      long attention = 3 * (2 * 4 * d * d + 4 * t * d); // q, k, v, o projections + scores and values (full T)
      long dense = 2 * 3 * d * 48;
      long moe = 2 * 2 * (d * 8 + 2 * 3 * d * 16 + 3 * d * 24); // router + top-2 routed + shared, two layers
      long head = 2 * 64 * d;
      assertEquals(attention + dense + moe + head, ModelSummary.of(model, m).forwardFlopsPerToken());
    }
  }
}
