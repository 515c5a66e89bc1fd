package dev.roundhouse.host.data;

/**
 * A corpus split into a train part (the first {@code 1 - valFraction} of the token stream) and a
 * validation part (the rest). No shuffling happens here: the split is the same for every seed.
 *
 * @param train tokens {@code [0, floor(n * (1 - valFraction)))}
 * @param val the remaining tokens; empty when valFraction is 0
 * @param mixture the sources of a prepared dataset (train and val carry source ids as domains), or null
 */
public record Dataset(TokenStream train, TokenStream val, Mixture mixture) {

  /** A dataset without mixture sources. */
  public Dataset(TokenStream train, TokenStream val) {
    this(train, val, null);
  }

  /** Default validation fraction. */
  public static final double DEFAULT_VAL_FRACTION = 0.1;

  /**
   * Splits {@code all} at {@code floor(n * (1 - valFraction))} (the same index as Python's
   * {@code int(n * 0.9)} for 0.1).
   *
   * @throws IllegalArgumentException if valFraction is outside [0, 1)
   * @throws DataException if a part would be empty
   */
  public static Dataset split(TokenStream all, double valFraction) {
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new IllegalArgumentException("valFraction must be in [0, 1), got " + valFraction);
    }
    int n = all.size();
    int nTrain = (int) Math.floor(n * (1.0 - valFraction));
    if (nTrain < 1 || (valFraction > 0 && nTrain == n)) {
      throw new DataException(all.source() + ": " + n + " tokens are too few to split with valFraction "
          + valFraction + " (train " + nTrain + ", val " + (n - nTrain) + ")");
    }
    return new Dataset(all.slice(0, nTrain, all.source() + " [train]"),
        all.slice(nTrain, n, all.source() + " [val]"));
  }
}
