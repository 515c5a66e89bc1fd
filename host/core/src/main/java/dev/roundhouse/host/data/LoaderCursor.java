package dev.roundhouse.host.data;

import java.util.Map;
import java.util.TreeMap;

/**
 * Position of a {@link BatchLoader}: its seed and how many batches it has produced. Batch {@code i}
 * depends only on (seed, i), so this is all a checkpoint needs to resume the exact batch sequence.
 *
 * @param seed the loader's sampling seed
 * @param step batches produced so far (micro-batches, counting every gradient-accumulation step)
 * @param sources windows taken from each source of a prepared mixture (empty otherwise); stored as
 *     keys {@code source.0}, {@code source.1}, ...
 */
public record LoaderCursor(long seed, long step, long[] sources) {

  public LoaderCursor {
    if (step < 0) {
      throw new IllegalArgumentException("data cursor step must be >= 0, got " + step);
    }
    sources = sources == null ? new long[0] : sources.clone();
  }

  /** A cursor without mixture sources. */
  public LoaderCursor(long seed, long step) {
    this(seed, step, new long[0]);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoaderCursor c && c.seed == seed && c.step == step && java.util.Arrays.equals(c.sources, sources);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(seed, step, java.util.Arrays.hashCode(sources));
  }

  /** As a small sorted map {@code {"seed": .., "step": ..}} for checkpoints. */
  public Map<String, Long> toMap() {
    Map<String, Long> map = new TreeMap<>();
    map.put("seed", seed);
    map.put("step", step);
    for (int i = 0; i < sources.length; i++) {
      map.put("source." + i, sources[i]);
    }
    return map;
  }

  /**
   * Reads {@link #toMap()}'s output.
   *
   * @throws DataException naming a missing key
   */
  public static LoaderCursor fromMap(Map<String, ? extends Number> map) {
    int n = 0;
    while (map.containsKey("source." + n)) {
      n++;
    }
    long[] sources = new long[n];
    for (int i = 0; i < n; i++) {
      sources[i] = map.get("source." + i).longValue();
    }
    return new LoaderCursor(require(map, "seed"), require(map, "step"), sources);
  }

  private static long require(Map<String, ? extends Number> map, String key) {
    Number value = map.get(key);
    if (value == null) {
      throw new DataException("data cursor lacks key \"" + key + "\" (has " + map.keySet() + ")");
    }
    return value.longValue();
  }
}
