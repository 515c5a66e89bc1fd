package dev.roundhouse.plugins.attention;

/**
 * Config of the {@code "mha"} attention block, read from the run config (null fields take defaults).
 *
 * @param nKvHeads key/value heads; null means one per query head (plain MHA); fewer gives grouped-query
 *     attention and must divide the model's head count (checked when the block is built)
 * @param ropeFraction fraction of each head's dims that RoPE rotates, in [0, 1]; default 1.0 (all).
 *     The rotated dim count is rounded down to an even number
 * @param qkNorm normalise q and k per head before RoPE; default false (true is not supported yet)
 */
public record MhaConfig(Integer nKvHeads, Double ropeFraction, Boolean qkNorm) {
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
    if (qkNorm) {
      throw new IllegalArgumentException("qkNorm: true is not supported yet; leave it unset or false");
    }
  }

  /** The defaults: MHA, full RoPE, no qk-norm. */
  public static MhaConfig defaults() {
    return new MhaConfig(null, null, null);
  }

  /** Key/value heads for a model with {@code nHeads} query heads; errors name the field. */
  int kvHeads(int nHeads) {
    int hk = nKvHeads == null ? nHeads : nKvHeads;
    if (nHeads % hk != 0) {
      throw new IllegalArgumentException("mha: nKvHeads (" + hk + ") must divide nHeads (" + nHeads + ")");
    }
    return hk;
  }

  /** Rotated dims per head: ropeFraction * headDim rounded down to even. */
  int rotaryDims(int headDim) {
    return 2 * (int) Math.floor(headDim * ropeFraction / 2.0 + 1e-9);
  }
}
