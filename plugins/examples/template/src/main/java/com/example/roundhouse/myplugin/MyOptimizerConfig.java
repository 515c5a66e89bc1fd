package com.example.roundhouse.myplugin;

/**
 * Config of the {@code "my-plugin"} optimizer, read from {@code {"type": "my-plugin", "lr": 0.01}}.
 * Boxed fields: null (absent in the JSON) takes the default. Reject bad values here, naming the field.
 *
 * @param lr learning rate, default 0.01, must be > 0 and finite
 */
public record MyOptimizerConfig(Double lr) {
  public MyOptimizerConfig {
    lr = lr == null ? 0.01 : lr;
    if (!(lr > 0) || lr.isInfinite()) {
      throw new IllegalArgumentException("my-plugin: lr must be > 0 and finite, got " + lr);
    }
  }

  /** All defaults. */
  public static MyOptimizerConfig defaults() {
    return new MyOptimizerConfig(null);
  }
}
