package com.example.roundhouse.myattention;

/**
 * Config of {@code my-attention}, e.g. {@code {"type": "my-attention", "scale": 0.125}}. Null fields take defaults.
 *
 * @param scale multiplies q k^T before the softmax (default null: 1 / sqrt(dModel)); must be > 0
 */
public record MyAttentionConfig(Double scale) {
  public MyAttentionConfig {
    if (scale != null && !(scale > 0 && Double.isFinite(scale))) {
      throw new IllegalArgumentException("scale: must be a finite number > 0, got " + scale);
    }
  }
}
