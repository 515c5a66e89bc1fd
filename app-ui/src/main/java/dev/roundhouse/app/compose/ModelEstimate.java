package dev.roundhouse.app.compose;

/**
 * Parameter and FLOP estimate of a composed model, computed from its sizes without building it
 * (so typing stays instant). Attention is counted as standard multi-head attention (4·d² weights,
 * 2·2·T·d score/value FLOPs per token); the run's start-up summary gives exact numbers.
 *
 * @param totalParams every parameter
 * @param activeParams parameters one token touches (top-k routed experts, one embedding row)
 * @param flopsPerToken forward FLOPs per token: 2 per active matmul weight + attention products
 */
public record ModelEstimate(long totalParams, long activeParams, long flopsPerToken) {

  /**
   * Estimate for vocab V, width d, L layers of which {@code dense} use a dense SwiGLU of {@code denseHidden},
   * the rest E routed experts of {@code expertHidden} (top-k) plus S shared experts of {@code sharedHidden}.
   */
  public static ModelEstimate of(long vocab, long d, long seqLen, int layers, int dense, long denseHidden,
      int experts, int topK, long expertHidden, int shared, long sharedHidden, boolean tied) {
    long embed = vocab * d;
    long head = tied ? 0 : vocab * d;
    long norms = (2L * layers + 1) * d;
    long attention = 4 * d * d * layers;
    int moeLayers = layers - dense;
    long denseFfn = 3 * d * denseHidden * dense;
    long expert = 3 * d * expertHidden;
    long sharedFfn = 3 * d * sharedHidden * shared * moeLayers;
    long router = d * experts * (long) moeLayers;
    long total = embed + head + norms + attention + denseFfn + expert * experts * moeLayers + sharedFfn + router;
    long active = total - embed + d - expert * (experts - (long) topK) * moeLayers;
    long matmulWeights = active - d - norms;
    long flops = 2 * matmulWeights + 4 * seqLen * d * layers;
    return new ModelEstimate(total, active, flops);
  }

  /** e.g. "params 1.23M total, 0.45M active per token; ~0.9 MFLOP/token forward". */
  public String describe() {
    return String.format("params %.2fM total, %.2fM active per token; ~%.1f MFLOP/token forward (estimate)",
        totalParams / 1e6, activeParams / 1e6, flopsPerToken / 1e6);
  }
}
