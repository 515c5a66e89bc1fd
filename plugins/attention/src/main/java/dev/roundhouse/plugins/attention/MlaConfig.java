package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.ConfigFields;

/**
 * Config of the {@code "mla"} block (DeepSeek-V2/V3 multi-head latent attention). Null fields take
 * defaults relative to the model's head dim hd = dModel / nHeads, resolved when the block is built.
 *
 * @param qLoraRank rank of the query compression x -> c_q (RMSNorm) -> q; null or 0 = no query
 *     compression (q = x W_q, as DeepSeek-V2-Lite); default null
 * @param kvLoraRank width of the joint KV latent c_kv (RMSNorm-ed), the only per-head-free cache
 *     besides the RoPE key; default 2 * hd
 * @param nopeDim per-head query/key dims without RoPE; default hd
 * @param ropeDim dims of the decoupled RoPE query (per head) and key (one, shared by all heads); even;
 *     default hd / 2 rounded down to even (at least 2)
 * @param vDim per-head value dim; default hd
 */
public record MlaConfig(Integer qLoraRank, Integer kvLoraRank, Integer nopeDim, Integer ropeDim, Integer vDim) {
  public MlaConfig {
    positiveOrNull("qLoraRank", qLoraRank, true);
    positiveOrNull("kvLoraRank", kvLoraRank, false);
    positiveOrNull("nopeDim", nopeDim, false);
    positiveOrNull("ropeDim", ropeDim, false);
    positiveOrNull("vDim", vDim, false);
    if (ropeDim != null && ropeDim % 2 != 0) {
      throw ConfigFields.invalid("ropeDim", "must be even, got " + ropeDim);
    }
  }

  public static MlaConfig defaults() {
    return new MlaConfig(null, null, null, null, null);
  }

  private static void positiveOrNull(String field, Integer v, boolean zeroAllowed) {
    if (v != null && (v < 0 || (v == 0 && !zeroAllowed))) {
      throw ConfigFields.invalid(field, "must be > 0" + (zeroAllowed ? " (0 or null = off)" : "") + ", got " + v);
    }
  }

  /** The resolved dims for head dim {@code hd}. */
  record Dims(int qLoraRank, int kvLoraRank, int nopeDim, int ropeDim, int vDim) {
    int qkDim() {
      return nopeDim + ropeDim;
    }
  }

  Dims resolve(int hd) {
    return new Dims(qLoraRank == null ? 0 : qLoraRank, kvLoraRank == null ? 2 * hd : kvLoraRank,
        nopeDim == null ? hd : nopeDim, ropeDim == null ? Math.max(2, hd / 2 / 2 * 2) : ropeDim,
        vDim == null ? hd : vDim);
  }
}
