package dev.roundhouse.host.config;

import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.DataSources;
import dev.roundhouse.host.data.Dataset;
import dev.roundhouse.host.data.SyntheticCorpus;
import dev.roundhouse.host.data.Tokenizer;
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
 * @param documentMask attention does not cross the EOS separators between the documents packed in a
 *     sequence (needs {@code prepared}); null or false: off (the default; absent from resolved
 *     configs, so fingerprints of runs without it stay as they were)
 */
public record DataSpec(String path, Double valFraction, Integer syntheticBytes, String prepared,
    Boolean documentMask) {

  /** Without prepared data. */
  public DataSpec(String path, Double valFraction, Integer syntheticBytes) {
    this(path, valFraction, syntheticBytes, null, null);
  }

  /** Without document masking. */
  public DataSpec(String path, Double valFraction, Integer syntheticBytes, String prepared) {
    this(path, valFraction, syntheticBytes, prepared, null);
  }

  /** Whether document masking is on. */
  public boolean masksDocuments() {
    return Boolean.TRUE.equals(documentMask);
  }

  /**
   * The EOS token id document masking splits at: the end-of-document token the prepared data was
   * packed with (the run's tokenizer is the dataset's).
   *
   * @throws DataException naming data.documentMask when the data has no EOS separators
   */
  public int documentSeparator(TokenizerSpec tokenizer) {
    if (prepared == null) {
      throw new DataException("data.documentMask: needs data.prepared (documents packed with EOS separators by"
          + " `roundhouse data prepare`); " + (path == null ? "the embedded corpus" : "data.path " + path)
          + " is one stream without separators (prepare configs/data-mix-example.json for the embedded domains)");
    }
    return dev.roundhouse.host.data.prepare.EosToken.of(tokenizer.open());
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
