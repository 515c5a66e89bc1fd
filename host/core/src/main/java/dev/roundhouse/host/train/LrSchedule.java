package dev.roundhouse.host.train;

import dev.roundhouse.host.config.TrainConfig;

/**
 * Learning-rate multiplier per optimizer step s (0-based, s < steps). Linear warmup over the first
 * {@code warmup} steps ((s+1)/warmup), then: cosine from 1 to {@code minFrac} reached exactly at the
 * last step; WSD (warmup-stable-decay) flat at 1, then linear to {@code minFrac} over the last
 * {@code decayFrac} of the run; or constant 1.
 */
public record LrSchedule(String kind, int steps, int warmup, double minFrac, double decayFrac) {

  public static LrSchedule of(TrainConfig t) {
    return new LrSchedule(t.schedule(), t.steps(), t.warmupSteps(), t.minLrFrac(), t.decayFrac());
  }

  public double factor(int s) {
    if (s < warmup) {
      return (s + 1.0) / warmup;
    }
    int last = steps - 1;
    switch (kind) {
      case "constant":
        return 1.0;
      case "wsd": {
        int decaySteps = Math.max(1, (int) Math.round(decayFrac * steps));
        int decayStart = Math.max(warmup, last - decaySteps + 1);
        if (s < decayStart) {
          return 1.0;
        }
        double progress = Math.min(1.0, (s - decayStart + 1.0) / (last - decayStart + 1.0));
        return minFrac + (1.0 - minFrac) * (1.0 - progress); // exactly minFrac at the last step
      }
      default: {
        if (last <= warmup) {
          return 1.0;
        }
        double progress = Math.min(1.0, (s - warmup) / (double) (last - warmup));
        return minFrac + (1.0 - minFrac) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
      }
    }
  }
}
