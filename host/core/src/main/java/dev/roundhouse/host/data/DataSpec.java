package dev.roundhouse.host.data;

import dev.roundhouse.host.data.prepare.PreparedDataset;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;

/**
 * The "data" section of a run config. Null fields take their defaults.
 *
 * @param path file, folder or glob (see {@link DataSources}); null for the synthetic corpus
 * @param valFraction fraction of the token stream (its tail) held out for validation, in (0, 1) (training
 *     evaluates, so it needs validation data);
 *     default 0.1
 * @param syntheticBytes size of the synthetic corpus in bytes of text when path is null; default
 *     {@link SyntheticCorpus#DEFAULT_BYTES}
 * @param prepared a folder written by {@code roundhouse data prepare}: per-source sampling by weight,
 *     document-level validation per source (path, valFraction and syntheticBytes are then unused)
 */
public record DataSpec(String path, Double valFraction, Integer syntheticBytes, String prepared) {

  /** Without prepared data. */
  public DataSpec(String path, Double valFraction, Integer syntheticBytes) {
    this(path, valFraction, syntheticBytes, null);
  }

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

  /** Loads the data with the run's tokenizer: the prepared dataset, or the source split by its tail. */
  public Dataset open(TokenizerSpec tokenizer, long seed) {
    if (prepared != null) {
      return PreparedDataset.open(java.nio.file.Path.of(prepared), tokenizer).asDataset();
    }
    return open(tokenizer.open(), seed);
  }

  /** Loads the source and splits it. */
  public Dataset open(Tokenizer tokenizer, long seed) {
    return Dataset.split(DataSources.open(path, tokenizer, seed, syntheticBytes), valFraction);
  }
}
