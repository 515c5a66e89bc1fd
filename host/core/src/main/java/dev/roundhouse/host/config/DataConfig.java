package dev.roundhouse.host.config;

/**
 * Training data. {@code path} null = the embedded synthetic corpus of {@code syntheticBytes}
 * bytes; else a text file, a folder, a .jsonl file or .bin token shards.
 */
public record DataConfig(String path, Double valFraction, Integer syntheticBytes) {
  public DataConfig {
    valFraction = valFraction == null ? 0.1 : valFraction;
    syntheticBytes = syntheticBytes == null ? 2_000_000 : syntheticBytes;
  }

  void check(String path, Problems p) {
    if (valFraction <= 0 || valFraction >= 1) {
      p.add(path + ".valFraction", "must be in (0, 1), got " + valFraction);
    }
    p.positive(path + ".syntheticBytes", syntheticBytes);
  }
}
