package dev.roundhouse.plugins.attention;

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
      throw new IllegalArgumentException("nKvHeads: must be > 0 (or null for one per query head), got " + nKvHeads);
    }
    if (ropeFraction == null) {
      ropeFraction = 1.0;
    }
    if (!(ropeFraction >= 0.0 && ropeFraction <= 1.0)) {
      throw new IllegalArgumentException("ropeFraction: must be in [0, 1], got " + ropeFraction);
    }
    if (qkNorm == null) {
      qkNorm = false;
    }
    if (softCap == null) {
      softCap = 0.0;
    }
    if (!(softCap >= 0.0) || Double.isInfinite(softCap)) {
      throw new IllegalArgumentException("softCap: must be a finite number >= 0 (0 = off), got " + softCap);
    }
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
