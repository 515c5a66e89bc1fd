package com.example.roundhouse.myprecision;

/**
 * Config of {@code my-precision}, e.g. {@code {"type": "my-precision", "lossScale": 1024}}.
 *
 * @param lossScale the trainer multiplies the loss by it before backward; gradients are divided by it
 *     again before clipping and the optimizer (default 1, a finite number > 0)
 */
public record MyPrecisionConfig(Double lossScale) {
  public MyPrecisionConfig {
    lossScale = lossScale == null ? 1.0 : lossScale;
    if (!(lossScale > 0) || Double.isInfinite(lossScale)) {
      throw new IllegalArgumentException("lossScale: must be a finite number > 0, got " + lossScale);
    }
  }
}
