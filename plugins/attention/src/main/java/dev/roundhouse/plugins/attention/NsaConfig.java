package dev.roundhouse.plugins.attention;

/**
 * Config of the {@code "nsa"} block (Native Sparse Attention): three causal branches per query,
 * mixed by learned sigmoid gates per head and branch. Null fields take the defaults below.
 *
 * @param nKvHeads key/value heads (GQA); default one per query head. Selection is shared by a group
 * @param compressBlock l: compressed block length; default 16
 * @param compressStride d: stride between compressed blocks (d <= l, l % d == 0); default 8
 * @param selectBlock l': selection block length (a multiple of d); default 16
 * @param selectCount n: selected blocks per query (the query's own block always among them); default 4
 * @param window w: sliding-window branch width; default 64
 * @param ropeFraction as in {@link MhaConfig}; default 1.0
 */
public record NsaConfig(Integer nKvHeads, Integer compressBlock, Integer compressStride, Integer selectBlock,
    Integer selectCount, Integer window, Double ropeFraction) {
  public NsaConfig {
    compressBlock = orDefault("compressBlock", compressBlock, 16);
    compressStride = orDefault("compressStride", compressStride, 8);
    selectBlock = orDefault("selectBlock", selectBlock, 16);
    selectCount = orDefault("selectCount", selectCount, 4);
    window = orDefault("window", window, 64);
    if (nKvHeads != null && nKvHeads <= 0) {
      throw new IllegalArgumentException("nKvHeads: must be > 0, got " + nKvHeads);
    }
    if (compressStride > compressBlock || compressBlock % compressStride != 0) {
      throw new IllegalArgumentException("compressStride: (" + compressStride
          + ") must be <= compressBlock and divide it (" + compressBlock + ")");
    }
    if (selectBlock % compressStride != 0) {
      throw new IllegalArgumentException("selectBlock: (" + selectBlock + ") must be a multiple of compressStride ("
          + compressStride + ")");
    }
    if (ropeFraction == null) {
      ropeFraction = 1.0;
    }
    if (!(ropeFraction >= 0.0 && ropeFraction <= 1.0)) {
      throw new IllegalArgumentException("ropeFraction: must be in [0, 1], got " + ropeFraction);
    }
  }

  public static NsaConfig defaults() {
    return new NsaConfig(null, null, null, null, null, null, null);
  }

  private static int orDefault(String field, Integer v, int d) {
    if (v == null) {
      return d;
    }
    if (v <= 0) {
      throw new IllegalArgumentException(field + ": must be > 0, got " + v);
    }
    return v;
  }

  int kvHeads(int nHeads) {
    int hk = nKvHeads == null ? nHeads : nKvHeads;
    if (nHeads % hk != 0) {
      throw new IllegalArgumentException("nKvHeads: (" + hk + ") must divide nHeads (" + nHeads + ")");
    }
    return hk;
  }

  int rotaryDims(int headDim) {
    return 2 * (int) Math.floor(headDim * ropeFraction / 2.0 + 1e-9);
  }
}
