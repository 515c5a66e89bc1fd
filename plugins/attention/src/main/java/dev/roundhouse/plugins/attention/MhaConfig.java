package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.ConfigFields;

/**
 * Config of the {@code "mha"} and {@code "gqa"} attention blocks, read from the run config (null
 * fields take defaults).
 *
 * @param nKvHeads key/value heads; null means one per query head (plain MHA); fewer gives grouped-query
 *     attention (1 = MQA) and must divide the model's head count (checked when the block is built).
 *     Required for {@code "gqa"}
 * @param ropeFraction fraction of each head's dims that RoPE rotates, in [0, 1]; default 1.0 (all).
 *     The rotated dim count is rounded down to an even number
 * @param qkNorm RMSNorm on q and on k per head (learned gains [headDim]) before RoPE; default false
 * @param softCap attention logit soft-capping: scores become softCap * tanh(scores / softCap); null or
 *     0 means off (default); must be >= 0
 */
public record MhaConfig(Integer nKvHeads, Double ropeFraction, Boolean qkNorm, Double softCap) {
  public MhaConfig {
    if (nKvHeads != null && nKvHeads <= 0) {
      throw ConfigFields.invalid("nKvHeads", "must be > 0 (or null for one per query head), got " + nKvHeads);
    }
    ropeFraction = ConfigFields.inRange("ropeFraction", ropeFraction, 0.0, 1.0, 1.0);
    if (qkNorm == null) {
      qkNorm = false;
    }
    softCap = ConfigFields.nonNegative("softCap", softCap, 0.0); // 0 = off
  }

  /** The defaults: MHA, full RoPE, no qk-norm, no soft-capping. */
  public static MhaConfig defaults() {
    return new MhaConfig(null, null, null, null);
  }

  /** Key/value heads for a model with {@code nHeads} query heads; errors name the block id and the field. */
  int kvHeads(String id, int nHeads) {
    int hk = nKvHeads == null ? nHeads : nKvHeads;
    if (nHeads % hk != 0) {
      throw new IllegalArgumentException(id + ": nKvHeads (" + hk + ") must divide nHeads (" + nHeads + ")");
    }
    return hk;
  }

  /** Rotated dims per head: ropeFraction * headDim rounded down to even. */
  int rotaryDims(int headDim) {
    return 2 * (int) Math.floor(headDim * ropeFraction / 2.0 + 1e-9);
  }
}
