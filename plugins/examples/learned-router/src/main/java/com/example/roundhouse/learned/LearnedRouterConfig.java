package com.example.roundhouse.learned;

/**
 * Config of the {@code "learned-topk"} router, e.g. {@code {"type": "learned-topk", "temperature": 0.5}}.
 *
 * @param temperature divides the logits before the softmax over the chosen k (default 1.0, > 0); lower is
 *     sharper
 * @param initStd standard deviation of the gate weights at initialisation (default 0.02, >= 0)
 */
public record LearnedRouterConfig(Double temperature, Double initStd) {
  public LearnedRouterConfig {
    temperature = temperature == null ? 1.0 : temperature;
    initStd = initStd == null ? 0.02 : initStd;
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature: must be a finite number > 0, got " + temperature);
    }
    if (!(initStd >= 0) || Double.isInfinite(initStd)) {
      throw new IllegalArgumentException("initStd: must be a finite number >= 0, got " + initStd);
    }
  }
}
