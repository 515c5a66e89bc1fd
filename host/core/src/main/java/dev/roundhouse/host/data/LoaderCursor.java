package dev.roundhouse.host.data;

import java.util.Map;
import java.util.TreeMap;

/**
 * Position of a {@link BatchLoader}: its seed and how many batches it has produced. Batch {@code i}
 * depends only on (seed, i), so this is all a checkpoint needs to resume the exact batch sequence.
 *
 * @param seed the loader's sampling seed
 * @param step batches produced so far (micro-batches, counting every gradient-accumulation step)
 */
public record LoaderCursor(long seed, long step) {

  public LoaderCursor {
    if (step < 0) {
      throw new IllegalArgumentException("data cursor step must be >= 0, got " + step);
    }
  }

  /** As a small sorted map {@code {"seed": .., "step": ..}} for checkpoints. */
  public Map<String, Long> toMap() {
    Map<String, Long> map = new TreeMap<>();
    map.put("seed", seed);
    map.put("step", step);
    return map;
  }

  /**
   * Reads {@link #toMap()}'s output.
   *
   * @throws DataException naming a missing key
   */
  public static LoaderCursor fromMap(Map<String, ? extends Number> map) {
    return new LoaderCursor(require(map, "seed"), require(map, "step"));
  }

  private static long require(Map<String, ? extends Number> map, String key) {
    Number value = map.get(key);
    if (value == null) {
      throw new DataException("data cursor lacks key \"" + key + "\" (has " + map.keySet() + ")");
    }
    return value.longValue();
  }
}
