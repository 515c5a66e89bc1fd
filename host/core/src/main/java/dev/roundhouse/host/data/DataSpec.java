package dev.roundhouse.host.data;

/**
 * The "data" section of a run config. Null fields take their defaults.
 *
 * @param path file, folder or glob (see {@link DataSources}); null for the synthetic corpus
 * @param valFraction fraction of the token stream (its tail) held out for validation, in (0, 1) (training
 *     evaluates, so it needs validation data);
 *     default 0.1
 * @param syntheticBytes size of the synthetic corpus in bytes of text when path is null; default
 *     {@link SyntheticCorpus#DEFAULT_BYTES}
 */
public record DataSpec(String path, Double valFraction, Integer syntheticBytes) {

  public DataSpec {
    if (valFraction == null) {
      valFraction = Dataset.DEFAULT_VAL_FRACTION;
    }
    if (syntheticBytes == null) {
      syntheticBytes = SyntheticCorpus.DEFAULT_BYTES;
    }
    if (!(valFraction > 0 && valFraction < 1)) {
      throw new IllegalArgumentException("valFraction must be > 0 and < 1, got " + valFraction);
    }
    if (syntheticBytes < 1) {
      throw new IllegalArgumentException("syntheticBytes must be >= 1, got " + syntheticBytes);
    }
  }

  /** All defaults: the synthetic corpus, 10% validation. */
  public static DataSpec defaults() {
    return new DataSpec(null, null, null);
  }

  /** Loads the source and splits it. */
  public Dataset open(Tokenizer tokenizer, long seed) {
    return Dataset.split(DataSources.open(path, tokenizer, seed, syntheticBytes), valFraction);
  }
}
