package dev.roundhouse.api;

/**
 * What an attention block may know: model width, heads, sequence length, its layer, RoPE base,
 * the parameter factory and the precision policy to compute with.
 */
public record AttentionContext(
    int dModel,
    int nHeads,
    int seqLen,
    int layerIndex,
    int nLayers,
    double ropeTheta,
    ParameterFactory params,
    PrecisionPolicy precision) {
  public AttentionContext {
    if (dModel <= 0 || nHeads <= 0 || dModel % nHeads != 0) {
      throw new IllegalArgumentException("dModel (" + dModel + ") must be a positive multiple of nHeads (" + nHeads + ")");
    }
  }

  public int headDim() {
    return dModel / nHeads;
  }
}
