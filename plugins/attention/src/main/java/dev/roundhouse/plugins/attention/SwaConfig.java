package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.ConfigFields;

/**
 * Config of the {@code "swa"} sliding-window block: key j is visible from query i iff i - window < j
 * <= i. Cost O(T * window) (a banded kernel, never a T x T matrix). Mix with global layers through
 * the model's {@code globalAttention} / {@code globalEvery} / {@code globalLast}.
 *
 * @param window W >= 1; default 128; W >= seqLen is full causal attention
 * @param nKvHeads, ropeFraction, qkNorm, softCap as in {@link MhaConfig}
 */
public record SwaConfig(Integer window, Integer nKvHeads, Double ropeFraction, Boolean qkNorm, Double softCap) {
  public static final int DEFAULT_WINDOW = 128;

  public SwaConfig {
    window = ConfigFields.atLeast("window", window, 1, DEFAULT_WINDOW);
    mha(nKvHeads, ropeFraction, qkNorm, softCap); // validates the shared fields
  }

  public static SwaConfig defaults() {
    return new SwaConfig(null, null, null, null, null);
  }

  /** The shared head options as an {@link MhaConfig}. */
  MhaConfig heads() {
    return mha(nKvHeads, ropeFraction, qkNorm, softCap);
  }

  private static MhaConfig mha(Integer nKvHeads, Double ropeFraction, Boolean qkNorm, Double softCap) {
    try {
      return new MhaConfig(nKvHeads, ropeFraction, qkNorm, softCap);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
