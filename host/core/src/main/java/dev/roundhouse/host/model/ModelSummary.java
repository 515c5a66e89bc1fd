package dev.roundhouse.host.model;

import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.tensor.Parameter;

/**
 * Parameter and FLOP accounting for the start-up summary.
 *
 * @param totalParams every parameter
 * @param activeParams parameters one token touches: all but the routed experts it was not sent to
 *     and the embedding rows it does not read (the embedding counts d)
 * @param forwardFlopsPerToken each attention's own estimate (projections, scores, values) + 2 * the other
 *     active matmul weights
 */
public record ModelSummary(long totalParams, long activeParams, long forwardFlopsPerToken) {

  public static ModelSummary of(MoeTransformer model, ModelConfig cfg) {
    long total = 0;
    for (Parameter p : model.parameters()) {
      total += p.numel();
    }
    long d = cfg.dModel();
    long embeddingParams = cfg.vocabSize() * d;
    long routedPerExpert = 0;
    long routedAll = 0;
    long flops = 0;
    long attentionParams = 0; // their matmuls are in the attention's own flopsPerToken
    for (Block b : model.blocks()) {
      flops += b.attention().flopsPerToken(cfg.seqLen());
      attentionParams += b.attention().parameters().stream().mapToLong(Parameter::numel).sum();
      if (b.moe() != null) {
        SwiGlu e0 = b.moe().experts().get(0);
        routedPerExpert += e0.parameters().stream().mapToLong(Parameter::numel).sum();
        routedAll += b.moe().experts().stream()
            .flatMap(e -> e.parameters().stream()).mapToLong(Parameter::numel).sum();
      }
    }
    long active = total - embeddingParams + d - routedAll + routedPerExpert * cfg.moe().topK();
    // Matmul flops of every active weight outside the attention, except the embedding lookup and the norm gains.
    long normParams = (2L * cfg.nLayers() + 1) * d;
    flops += 2 * (active - attentionParams - d - normParams);
    return new ModelSummary(total, active, flops);
  }

  public String describe() {
    return String.format("params: %.2fM total, %.2fM active per token; forward %.1f MFLOP/token (train ~3x)",
        totalParams / 1e6, activeParams / 1e6, forwardFlopsPerToken / 1e6);
  }
}
