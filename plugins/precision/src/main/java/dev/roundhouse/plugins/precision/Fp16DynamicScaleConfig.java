package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.ConfigFields;
import java.util.List;

/**
 * {@code {"type": "fp16-dynamic-scale", ...}}; null fields take their defaults.
 *
 * @param roles roles whose matmuls run in fp16; default as bf16-mixed
 * @param initScale starting loss scale, default 65536, > 0
 * @param growthInterval clean steps after which the scale grows, default 2000, >= 1
 * @param growthFactor scale multiplier after growthInterval clean steps, default 2, > 1
 * @param backoffFactor scale multiplier after an overflow, default 0.5, in (0, 1)
 * @param minScale the scale never drops below this, default 1, > 0
 */
public record Fp16DynamicScaleConfig(List<String> roles, Double initScale, Integer growthInterval,
    Double growthFactor, Double backoffFactor, Double minScale) {
  public Fp16DynamicScaleConfig {
    roles = Roles.orDefault(roles, Bf16MixedConfig.DEFAULT_ROLES);
    Roles.parse(roles);
    initScale = ConfigFields.positive("initScale", initScale, 65536.0);
    growthInterval = ConfigFields.atLeast("growthInterval", growthInterval, 1, 2000);
    growthFactor = growthFactor == null ? 2.0 : growthFactor;
    if (!(growthFactor > 1) || growthFactor.isInfinite()) {
      throw ConfigFields.invalid("growthFactor", "must be > 1 and finite, got " + growthFactor);
    }
    backoffFactor = backoffFactor == null ? 0.5 : backoffFactor;
    if (!(backoffFactor > 0 && backoffFactor < 1)) {
      throw ConfigFields.invalid("backoffFactor", "must be in (0, 1), got " + backoffFactor);
    }
    minScale = ConfigFields.positive("minScale", minScale, 1.0);
    if (minScale > initScale) {
      throw ConfigFields.invalid("minScale", "must be in (0, initScale=" + initScale + "], got " + minScale);
    }
  }
}
