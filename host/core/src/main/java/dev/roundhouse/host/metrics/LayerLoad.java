package dev.roundhouse.host.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Router health of one MoE layer over one reporting window (see {@link RouterHealth} for the formulas).
 *
 * @param layer           block index, 0-based
 * @param tokensPerExpert routed token copies per expert (top-k copies: sums to tokens * k minus drops)
 * @param biasMin         smallest expert bias (aux-loss-free routers), null without a bias
 * @param biasMax         largest expert bias, null without a bias
 * @param droppedTokens   token copies dropped by a capacity factor (0 when dropless)
 * @param perDomainTokens domain name to tokens per expert, null when the data has no domains
 * @param routerLosses    router loss name to its mean per micro-batch over the window (coefficient
 *                        applied, e.g. "aux", "seq_aux", "z"), null when the router has none
 * @param routerStats     router stat name to its sum over the window's micro-batches (e.g.
 *                        "tokens_unrouted", "logits_nonfinite"), null when the router reports none
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerLoad(
    int layer,
    long[] tokensPerExpert,
    double cvPct,
    double entropyNorm,
    @JsonProperty("maxvio") double maxVio,
    double maxLoadFrac,
    int deadExperts,
    Double biasMin,
    Double biasMax,
    long droppedTokens,
    Map<String, long[]> perDomainTokens,
    Map<String, Double> routerLosses,
    Map<String, Double> routerStats) {

  public LayerLoad {
    Objects.requireNonNull(tokensPerExpert, "tokensPerExpert");
    if (perDomainTokens != null) {
      perDomainTokens = new TreeMap<>(perDomainTokens);
    }
    routerLosses = routerLosses == null || routerLosses.isEmpty() ? null : new TreeMap<>(routerLosses);
    routerStats = routerStats == null || routerStats.isEmpty() ? null : new TreeMap<>(routerStats);
  }

  /** A layer load with its health statistics computed from {@code tokensPerExpert}. */
  public static LayerLoad of(int layer, long[] tokensPerExpert, Double biasMin, Double biasMax,
      long droppedTokens, Map<String, long[]> perDomainTokens) {
    return of(layer, tokensPerExpert, biasMin, biasMax, droppedTokens, perDomainTokens, null, null);
  }

  /** As above, with the router's per-layer losses (window means) and stats (window sums). */
  public static LayerLoad of(int layer, long[] tokensPerExpert, Double biasMin, Double biasMax,
      long droppedTokens, Map<String, long[]> perDomainTokens, Map<String, Double> routerLosses,
      Map<String, Double> routerStats) {
    RouterHealth h = RouterHealth.compute(tokensPerExpert);
    return new LayerLoad(layer, tokensPerExpert.clone(), h.cvPct(), h.entropyNorm(), h.maxVio(), h.maxLoadFrac(),
        h.deadExperts(), biasMin, biasMax, droppedTokens, perDomainTokens, routerLosses, routerStats);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerLoad l && layer == l.layer && Arrays.equals(tokensPerExpert, l.tokensPerExpert)
        && Double.compare(cvPct, l.cvPct) == 0 && Double.compare(entropyNorm, l.entropyNorm) == 0
        && Double.compare(maxVio, l.maxVio) == 0 && Double.compare(maxLoadFrac, l.maxLoadFrac) == 0
        && deadExperts == l.deadExperts && Objects.equals(biasMin, l.biasMin) && Objects.equals(biasMax, l.biasMax)
        && droppedTokens == l.droppedTokens && domainsEqual(perDomainTokens, l.perDomainTokens)
        && Objects.equals(routerLosses, l.routerLosses) && Objects.equals(routerStats, l.routerStats);
  }

  @Override
  public int hashCode() {
    return Objects.hash(layer, Arrays.hashCode(tokensPerExpert), cvPct, entropyNorm, maxVio, deadExperts);
  }

  @Override
  public String toString() {
    StringBuilder domains = new StringBuilder();
    if (perDomainTokens != null) {
      perDomainTokens.forEach((k, v) -> domains.append(k).append('=').append(Arrays.toString(v)).append(' '));
    }
    return "LayerLoad[layer=" + layer + ", tokensPerExpert=" + Arrays.toString(tokensPerExpert) + ", cvPct=" + cvPct
        + ", entropyNorm=" + entropyNorm + ", maxVio=" + maxVio + ", maxLoadFrac=" + maxLoadFrac + ", deadExperts="
        + deadExperts + ", bias=[" + biasMin + ", " + biasMax + "], droppedTokens=" + droppedTokens
        + (perDomainTokens == null ? "" : ", perDomainTokens={" + domains.toString().strip() + "}")
        + (routerLosses == null ? "" : ", routerLosses=" + routerLosses)
        + (routerStats == null ? "" : ", routerStats=" + routerStats) + "]";
  }

  private static boolean domainsEqual(Map<String, long[]> a, Map<String, long[]> b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.keySet().equals(b.keySet()) && a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(),
        b.get(e.getKey())));
  }
}
