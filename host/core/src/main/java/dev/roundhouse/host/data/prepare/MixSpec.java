package dev.roundhouse.host.data.prepare;

import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A data mixture file (MIX.json) for {@code roundhouse data prepare}; see docs/data.md. Null fields
 * take their defaults.
 *
 * @param seed seeds the synthetic documents and the validation split; default 1
 * @param tokenizer the tokenizer; default byte
 * @param valFraction fraction of each source's documents held out for validation; default 0.05
 * @param shardTokens most tokens per shard file; default 10,000,000
 * @param dedup exact and near duplicate removal
 * @param filters quality filters
 * @param sources the sources, at least one
 */
public record MixSpec(Long seed, TokenizerSpec tokenizer, Double valFraction, Integer shardTokens,
    Dedup dedup, Filters filters, List<Source> sources) {

  public MixSpec {
    seed = seed == null ? 1L : seed;
    tokenizer = tokenizer == null ? TokenizerSpec.defaults() : tokenizer;
    valFraction = valFraction == null ? 0.05 : valFraction;
    shardTokens = shardTokens == null ? 10_000_000 : shardTokens;
    dedup = dedup == null ? new Dedup(null, null, null, null) : dedup;
    filters = filters == null ? new Filters(null, null, null, null) : filters;
    sources = sources == null ? List.of() : List.copyOf(sources);
  }

  /**
   * One source. Exactly one of path and synthetic; at most one of weight and tokens.
   *
   * @param name unique name (letters, digits, '_', '-', '.'), used in metrics and shard folders
   * @param path a file, folder or glob; {@code .jsonl} files give one document per line
   * @param field JSONL field holding the text; default "text"
   * @param synthetic an embedded synthetic domain: arithmetic, english, json or code
   * @param documents number of synthetic documents; default 2000
   * @param weight sampling weight (> 0); default 1 unless tokens is given
   * @param tokens token budget per epoch: the weight becomes tokens / (sum of budgets) share
   * @param epochs how many times training may repeat this source; default 1
   */
  public record Source(String name, String path, String field, String synthetic, Integer documents,
      Double weight, Long tokens, Double epochs) {

    public Source {
      field = field == null ? "text" : field;
      documents = documents == null ? 2000 : documents;
      epochs = epochs == null ? 1.0 : epochs;
    }
  }

  /**
   * @param exact drop documents whose normalised text (NFC, lower case, whitespace collapsed) was seen; default true
   * @param nearThreshold MinHash Jaccard estimate at or above which a later document is a near duplicate; default 0.8, 0 turns near dedup off
   * @param numPerm MinHash permutations; default 128
   * @param bands LSH bands (numPerm must be a multiple); default 16 (8 rows each: pairs near 0.7 Jaccard and above become candidates)
   */
  public record Dedup(Boolean exact, Double nearThreshold, Integer numPerm, Integer bands) {
    public Dedup {
      exact = exact == null || exact;
      nearThreshold = nearThreshold == null ? 0.8 : nearThreshold;
      numPerm = numPerm == null ? 128 : numPerm;
      bands = bands == null ? 16 : bands;
    }
  }

  /**
   * @param minChars shortest document kept; default 1
   * @param maxChars longest document kept; default 1,000,000
   * @param minAlnumRatio least share of letters, digits and whitespace among the chars; default 0
   * @param maxRepeatedLineRatio most share of non-blank lines that repeat an earlier line; default 1
   */
  public record Filters(Integer minChars, Integer maxChars, Double minAlnumRatio, Double maxRepeatedLineRatio) {
    public Filters {
      minChars = minChars == null ? 1 : minChars;
      maxChars = maxChars == null ? 1_000_000 : maxChars;
      minAlnumRatio = minAlnumRatio == null ? 0.0 : minAlnumRatio;
      maxRepeatedLineRatio = maxRepeatedLineRatio == null ? 1.0 : maxRepeatedLineRatio;
    }
  }

  /**
   * Checks every field; the message names the file and the field.
   *
   * @throws DataException on the first problem
   */
  public void check(String file) {
    if (sources.isEmpty()) {
      throw new DataException(file + ": sources: at least one source is needed");
    }
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new DataException(file + ": valFraction must be in [0, 1), got " + valFraction);
    }
    if (shardTokens < 1024) {
      throw new DataException(file + ": shardTokens must be >= 1024, got " + shardTokens);
    }
    if (dedup.nearThreshold() < 0 || dedup.nearThreshold() > 1 || dedup.numPerm() < 1 || dedup.bands() < 1
        || dedup.numPerm() % dedup.bands() != 0) {
      throw new DataException(file + ": dedup: nearThreshold must be in [0, 1] and numPerm a positive multiple of"
          + " bands, got " + dedup);
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      Source s = sources.get(i);
      String at = file + ": sources[" + i + "]";
      if (s.name() == null || !s.name().matches("[A-Za-z0-9._-]{1,64}") || s.name().matches("\\.+")) {
        throw new DataException(at + ".name must be 1-64 letters, digits, '.', '_' or '-', got " + s.name());
      }
      at = file + ": source \"" + s.name() + "\"";
      if (!names.add(s.name())) {
        throw new DataException(at + ": name used twice");
      }
      if ((s.path() == null) == (s.synthetic() == null)) {
        throw new DataException(at + ": give exactly one of path and synthetic");
      }
      if (s.weight() != null && s.tokens() != null) {
        throw new DataException(at + ": give weight or tokens, not both");
      }
      if (s.weight() != null && !(s.weight() > 0)) {
        throw new DataException(at + ": weight must be > 0, got " + s.weight());
      }
      if (s.tokens() != null && s.tokens() <= 0) {
        throw new DataException(at + ": tokens must be > 0, got " + s.tokens());
      }
      if (!(s.epochs() > 0)) {
        throw new DataException(at + ": epochs must be > 0, got " + s.epochs());
      }
      if (s.documents() < 1) {
        throw new DataException(at + ": documents must be >= 1, got " + s.documents());
      }
    }
    boolean budgets = sources.stream().anyMatch(s -> s.tokens() != null);
    if (budgets && sources.stream().anyMatch(s -> s.tokens() == null)) {
      throw new DataException(file + ": sources mix weights and token budgets; give tokens for every source or for none");
    }
  }

  /** Sampling weight of each source, normalised to sum 1. */
  public double[] normalisedWeights() {
    double[] w = new double[sources.size()];
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      Source s = sources.get(i);
      w[i] = s.tokens() != null ? s.tokens() : (s.weight() != null ? s.weight() : 1.0);
      sum += w[i];
    }
    for (int i = 0; i < w.length; i++) {
      w[i] /= sum;
    }
    return w;
  }
}
