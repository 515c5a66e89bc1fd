package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.ConfigFields;

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
    compressBlock = ConfigFields.atLeast("compressBlock", compressBlock, 1, 16);
    compressStride = ConfigFields.atLeast("compressStride", compressStride, 1, 8);
    selectBlock = ConfigFields.atLeast("selectBlock", selectBlock, 1, 16);
    selectCount = ConfigFields.atLeast("selectCount", selectCount, 1, 4);
    window = ConfigFields.atLeast("window", window, 1, 64);
    if (nKvHeads != null && nKvHeads <= 0) {
      throw ConfigFields.invalid("nKvHeads", "must be > 0 (or null for one per query head), got " + nKvHeads);
    }
    if (compressStride > compressBlock || compressBlock % compressStride != 0) {
      throw ConfigFields.invalid("compressStride", "(" + compressStride
          + ") must be <= compressBlock and divide it (" + compressBlock + ")");
    }
    if (selectBlock % compressStride != 0) {
      throw ConfigFields.invalid("selectBlock", "(" + selectBlock + ") must be a multiple of compressStride ("
          + compressStride + ")");
    }
    ropeFraction = ConfigFields.inRange("ropeFraction", ropeFraction, 0.0, 1.0, 1.0);
  }

  public static NsaConfig defaults() {
    return new NsaConfig(null, null, null, null, null, null, null);
  }


  int kvHeads(int nHeads) {
    int hk = nKvHeads == null ? nHeads : nKvHeads;
    if (nHeads % hk != 0) {
      throw ConfigFields.invalid("nKvHeads", "(" + hk + ") must divide nHeads (" + nHeads + ")");
    }
    return hk;
  }

  int rotaryDims(int headDim) {
    return 2 * (int) Math.floor(headDim * ropeFraction / 2.0 + 1e-9);
  }
}
