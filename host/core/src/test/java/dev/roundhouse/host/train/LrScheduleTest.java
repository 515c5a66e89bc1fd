package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Learning-rate multipliers: linear warmup, cosine to minLrFrac at the last step, WSD, constant. */
class LrScheduleTest {
  static final double EPS = 1e-12;

  @Test
  void warmupIsLinearFromOneOverWarmupToOne() {
    LrSchedule s = new LrSchedule("cosine", 100, 10, 0.1, 0.2);
    for (int i = 0; i < 10; i++) {
      assertEquals((i + 1) / 10.0, s.factor(i), EPS, "step " + i);
    }
    assertEquals(1.0, s.factor(10), EPS, "cosine starts at 1 right after warmup");
  }

  @Test
  void cosineReachesExactlyMinLrFracAtTheLastStep() {
    LrSchedule s = new LrSchedule("cosine", 100, 10, 0.1, 0.2);
    assertEquals(0.1, s.factor(99), 0.0, "exact at the last step");
    // halfway through the decay: (1 + minFrac) / 2
    assertEquals(0.55, new LrSchedule("cosine", 22, 1, 0.1, 0).factor(11), EPS);
    for (int i = 10; i < 99; i++) {
      assertTrue(s.factor(i + 1) < s.factor(i), "strictly decreasing after warmup at step " + i);
      assertTrue(s.factor(i) > 0.1, "above the floor before the last step");
    }
    assertEquals(0.0, new LrSchedule("cosine", 50, 0, 0.0, 0).factor(49), 0.0);
    assertEquals(1.0, new LrSchedule("cosine", 50, 0, 0.0, 0).factor(0), 0.0, "no warmup: starts at 1");
  }

  @Test
  void referenceConfigScheduleFromTrainConfig() {
    LrSchedule s = LrSchedule.of(ConfigLoader.load(null, List.of()).train());
    assertEquals(new LrSchedule("cosine", 400, 50, 0.1, 0.2), s);
    assertEquals(1.0 / 50, s.factor(0), EPS);
    assertEquals(1.0, s.factor(49), EPS);
    assertEquals(0.1, s.factor(399), 0.0);
  }

  @Test
  void wsdIsFlatThenDecaysLinearlyOverTheLastFraction() {
    LrSchedule s = new LrSchedule("wsd", 100, 10, 0.1, 0.2); // decay over the last 20 steps: 80..99
    assertEquals(0.1, s.factor(0), EPS);
    for (int i = 10; i < 80; i++) {
      assertEquals(1.0, s.factor(i), 0.0, "stable at step " + i);
    }
    for (int i = 80; i < 100; i++) {
      assertEquals(1.0 - 0.9 * (i - 79) / 20.0, s.factor(i), EPS, "linear decay at step " + i);
    }
    assertEquals(0.1, s.factor(99), 0.0, "exact at the last step");
  }

  @Test
  void wsdDecayLongerThanTheRunStartsRightAfterWarmup() {
    LrSchedule s = new LrSchedule("wsd", 20, 5, 0.0, 1.0);
    assertEquals(1.0, s.factor(4), EPS, "end of warmup");
    assertTrue(s.factor(5) < 1.0, "decay starts after warmup");
    assertEquals(0.0, s.factor(19), 0.0);
  }

  @Test
  void constantIsFlatAfterWarmup() {
    LrSchedule s = new LrSchedule("constant", 30, 3, 0.1, 0.2);
    assertEquals(1.0 / 3, s.factor(0), EPS);
    for (int i = 3; i < 30; i++) {
      assertEquals(1.0, s.factor(i), 0.0);
    }
  }
}
