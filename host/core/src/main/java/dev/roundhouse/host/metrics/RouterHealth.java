package dev.roundhouse.host.metrics;

/**
 * Load-balance statistics of one MoE layer from its tokens per expert (E experts, counts n_i, total N, mean m = N/E).
 *
 * @param cvPct       coefficient of variation in percent: 100 * std(n) / m, population std (divide by E); 0 if N = 0
 * @param entropyNorm entropy of p_i = n_i / N (natural log, 0 ln 0 = 0) divided by ln E: 1 = perfectly even,
 *                    0 = all tokens on one expert; 0 if N = 0; 1 if E = 1 and N > 0
 * @param maxVio      (max n - m) / m, DeepSeek's MaxVio; 0 if N = 0
 * @param maxLoadFrac max n / N, the busiest expert's share; 0 if N = 0
 * @param deadExperts experts with n_i = 0
 */
public record RouterHealth(double cvPct, double entropyNorm, double maxVio, double maxLoadFrac, int deadExperts) {

  /** Computes the statistics; {@code tokensPerExpert} must be non-empty with non-negative counts. */
  public static RouterHealth compute(long[] tokensPerExpert) {
    int e = tokensPerExpert.length;
    if (e == 0) {
      throw new IllegalArgumentException("tokensPerExpert is empty");
    }
    double total = 0;
    long max = 0;
    int dead = 0;
    for (int i = 0; i < e; i++) {
      long n = tokensPerExpert[i];
      if (n < 0) {
        throw new IllegalArgumentException("tokensPerExpert[" + i + "] is negative: " + n);
      }
      total += n;
      max = Math.max(max, n);
      dead += n == 0 ? 1 : 0;
    }
    if (total == 0) {
      return new RouterHealth(0, 0, 0, 0, dead);
    }
    double mean = total / e;
    double var = 0;
    double entropy = 0;
    for (long n : tokensPerExpert) {
      var += (n - mean) * (n - mean);
      if (n > 0) {
        double p = n / total;
        entropy -= p * Math.log(p);
      }
    }
    double cv = 100.0 * Math.sqrt(var / e) / mean;
    double entropyNorm = e == 1 ? 1.0 : entropy / Math.log(e);
    return new RouterHealth(cv, entropyNorm, (max - mean) / mean, max / total, dead);
  }
}
