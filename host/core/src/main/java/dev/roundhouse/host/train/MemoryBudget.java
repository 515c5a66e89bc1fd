package dev.roundhouse.host.train;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.config.MoeConfig;
import dev.roundhouse.host.config.RunConfig;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * Up-front check that a model's training state fits in memory, before anything is allocated: the estimated parameter
 * count x bytes per value x 4 copies (weights, gradients, two optimizer slots) must not exceed what this process may
 * allocate: ND4J's off-heap limit ({@code org.bytedeco.javacpp.maxbytes}, by default -Xmx) and physical memory.
 * Activations come on top, so passing is necessary, not sufficient.
 */
public final class MemoryBudget {
  /** Weights, gradients and two optimizer slots (AdamW's moments). */
  public static final int COPIES = 4;

  private MemoryBudget() {}

  /** Estimated parameter count (attention counted as 4 d x d projections). */
  public static long parameters(ModelConfig m) {
    double d = m.dModel();
    double v = m.vocabSize();
    MoeConfig moe = m.moe();
    double total = v * d * (m.tieEmbeddings() ? 1 : 2) + d;
    for (int i = 0; i < m.nLayers(); i++) {
      total += 4 * d * d + 2 * d;
      if (i < moe.firstDenseLayers()) {
        total += 3 * d * moe.denseHidden();
      } else {
        total += (double) moe.routedExperts() * 3 * d * moe.expertHidden()
            + (double) moe.sharedExperts() * 3 * d * moe.sharedHidden() + d * moe.routedExperts();
      }
    }
    return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) total; // double: no overflow for absurd sizes
  }

  /** Estimated bytes of weights + gradients + optimizer state. */
  public static long trainingBytes(RunConfig cfg) {
    int bytes = cfg.train().dtype().equals("double") ? 8 : 4;
    return multiply(multiply(parameters(cfg.model()), bytes), COPIES);
  }

  /** Bytes this process may allocate for arrays: min(ND4J off-heap limit, physical memory), when known. */
  public static long available() {
    long max = Pointer.maxBytes();
    long physical = Pointer.totalPhysicalBytes();
    long limit = Long.MAX_VALUE;
    if (max > 0) {
      limit = max;
    }
    if (physical > 0) {
      limit = Math.min(limit, physical);
    }
    return limit == Long.MAX_VALUE ? Runtime.getRuntime().maxMemory() : limit;
  }

  /** Why {@code cfg}'s training state cannot fit in {@code availableBytes} (with the estimate), or null if it fits. */
  public static String problem(RunConfig cfg, long availableBytes) {
    long need = trainingBytes(cfg);
    if (need <= availableBytes) {
      return null;
    }
    return String.format(java.util.Locale.ROOT,
        "model: too large for this machine: ~%,d parameters x %d bytes x %d (weights, gradients, 2 optimizer "
            + "slots) = %s, but only %s may be allocated (ND4J limit org.bytedeco.javacpp.maxbytes / -Xmx, "
            + "physical memory); make the model smaller",
        parameters(cfg.model()), cfg.train().dtype().equals("double") ? 8 : 4, COPIES, gib(need),
        gib(availableBytes));
  }

  /** Refuses {@code cfg} with the estimate when its training state cannot fit in {@code availableBytes}. */
  public static void check(RunConfig cfg, long availableBytes) {
    String problem = problem(cfg, availableBytes);
    if (problem != null) {
      throw new ConfigException("config", List.of(problem));
    }
  }

  private static long multiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
  }

  private static String gib(long bytes) {
    return bytes == Long.MAX_VALUE ? "more than 8 EiB"
        : String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }
}
