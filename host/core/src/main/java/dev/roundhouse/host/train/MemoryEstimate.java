package dev.roundhouse.host.train;

import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.config.MoeConfig;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.config.ActivationCheckpointing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Estimated peak resident memory of training a config, before anything is allocated: the training
 * state ({@link MemoryBudget#trainingBytes}), the activations of one micro-batch kept for backward
 * with the forward temporaries of the per-block arenas, one block's backward scratch, and the
 * process itself (JVM, ND4J's native libraries). Calibrated on tiny-moe and the 60M model with
 * {@code roundhouse bench memory} (docs/memory.md); meant to tell "fits easily" from "cannot fit",
 * not to predict to the megabyte.
 *
 * <p>Per token and layer, the values a block makes in forward: attention 9 d (norm, q, k, v, rotated
 * q and k, context, projection, residual) plus 2 x heads x T (scores and probabilities); a dense
 * FFN 4 x hidden + 3 d; a MoE FFN (4 + 2k) d + 4 k x expert hidden + 4 x shared hidden per shared
 * expert + 2 x experts. The head adds 3 x vocab (logits, log-probabilities, their gradient). With
 * {@code train.activationCheckpointing}, a recomputed part keeps only its output (and the gates) in
 * its block's arena, and the re-run's arena holds one recomputed part's forward and backward (twice
 * its values), counted with the backward scratch.
 */
public record MemoryEstimate(long stateBytes, long activationBytes, long scratchBytes, long processBytes) {
  /** Arena headroom over the learned size (StepArena.OVERALLOCATION) and allocator slack. */
  static final double ARENA_FACTOR = 1.45;
  /** JVM, ND4J native libraries and heap before the model exists (measured ~0.5-0.7 GB). */
  static final long PROCESS_BYTES = 700L << 20;

  public long totalBytes() {
    return stateBytes + activationBytes + scratchBytes + processBytes;
  }

  /** The estimate for {@code cfg}. */
  public static MemoryEstimate of(RunConfig cfg) {
    ModelConfig m = cfg.model();
    MoeConfig moe = m.moe();
    int bytes = cfg.train().dtype().equals("double") ? 8 : 4;
    double tokens = (double) cfg.train().batchSize() * m.seqLen(); // one micro-batch, all shards together
    double d = m.dModel();
    double attention = 9 * d + 2.0 * m.nHeads() * m.seqLen();
    double dense = 4.0 * moe.denseHidden() + 3 * d;
    double moeFfn = (4 + 2.0 * moe.topK()) * d + 4.0 * moe.topK() * moe.expertHidden()
        + 4.0 * moe.sharedExperts() * moe.sharedHidden() + 2.0 * moe.routedExperts();
    ActivationCheckpointing recompute = ActivationCheckpointing.parse(cfg.train().activationCheckpointing());
    double perToken = 3.0 * m.vocabSize() + d;
    double largestLayer = 0;
    double largestRecomputed = 0;
    for (int i = 0; i < m.nLayers(); i++) {
      boolean isMoe = i >= moe.firstDenseLayers();
      double ffn = isMoe ? moeFfn : dense;
      double recomputed = switch (recompute) {
        case NONE -> 0;
        case ATTENTION -> attention;
        case MOE -> isMoe ? ffn : 0;
        case BLOCK -> attention + ffn;
      };
      // a recomputed part keeps its output (d) and, with a router inside, the gates (k) between passes
      double kept = recomputed == 0 ? 0 : d + (recompute != ActivationCheckpointing.ATTENTION && isMoe ? moe.topK() : 0);
      perToken += attention + ffn - recomputed + kept;
      largestLayer = Math.max(largestLayer, attention + ffn);
      largestRecomputed = Math.max(largestRecomputed, recomputed);
    }
    long activations = (long) (tokens * perToken * bytes * ARENA_FACTOR);
    // backward scratch, plus the re-run's arena: one recomputed part's forward and its backward
    long scratch = (long) (tokens * (Math.max(largestLayer, 3.0 * m.vocabSize()) + 2 * largestRecomputed)
        * bytes * ARENA_FACTOR);
    return new MemoryEstimate(MemoryBudget.trainingBytes(cfg), activations, scratch, PROCESS_BYTES);
  }

  /** The memory Linux says new allocations can get without swapping ({@code MemAvailable}), or -1. */
  public static long availableBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** One line: the total and its parts. */
  public String describe() {
    return String.format(Locale.ROOT, "~%s peak (training state %s, activations %s, backward scratch %s, process %s)",
        gb(totalBytes()), gb(stateBytes), gb(activationBytes), gb(scratchBytes), gb(processBytes));
  }

  /**
   * Why the estimate does not fit in {@code available} bytes, or null when it fits (or when the
   * free memory is unknown, {@code available < 0}).
   */
  public String problem(long available) {
    if (available < 0 || totalBytes() <= available) {
      return null;
    }
    return "memory: this config needs " + describe() + " but only " + gb(available)
        + " is available; lower train.batchSize (or raise train.gradAccum), use a smaller model, or pass --force";
  }

  static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
  }
}
