package dev.roundhouse.plugins.attention;

import dev.roundhouse.api.ConfigFields;

/**
 * Config of the {@code "kda"} block (Kimi Delta Attention, a gated delta-rule linear attention).
 *
 * @param convSize kernel of the short causal depthwise convolutions on q, k and v; default 4
 * @param chunkSize chunk length C of the chunkwise-parallel form; default 16
 * @param form {@code "chunk"} (default; chunkwise-parallel, linear in T) or {@code "recurrent"} (one
 *     step per token; the reference form, same values)
 * @param minLogDecay lower bound of the per-step, per-channel log forget gate: log alpha =
 *     minLogDecay * sigmoid(z), so alpha is in (e^minLogDecay, 1); default -5. The chunk form divides
 *     decays inside a chunk, so chunkSize * |minLogDecay| must be <= 80 (float range)
 */
public record KdaConfig(Integer convSize, Integer chunkSize, String form, Double minLogDecay) {
  public KdaConfig {
    convSize = ConfigFields.atLeast("convSize", convSize, 1, 4);
    chunkSize = ConfigFields.atLeast("chunkSize", chunkSize, 1, 16);
    form = ConfigFields.oneOf("form", form, "chunk", "chunk", "recurrent");
    if (minLogDecay == null) {
      minLogDecay = -5.0;
    }
    if (!(minLogDecay < 0) || Double.isInfinite(minLogDecay)) {
      throw ConfigFields.invalid("minLogDecay", "must be a finite number < 0, got " + minLogDecay);
    }
    if (chunkSize * -minLogDecay > 80.0) {
      throw ConfigFields.invalid("chunkSize", "chunkSize * |minLogDecay| must be <= 80 (got " + chunkSize + " * "
          + -minLogDecay + "); lower chunkSize or raise minLogDecay");
    }
  }

  public static KdaConfig defaults() {
    return new KdaConfig(null, null, null, null);
  }

  boolean chunked() {
    return form.equals("chunk");
  }
}
