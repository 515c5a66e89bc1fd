package dev.roundhouse.host.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BenchTimerTest {

  @Test
  void summarizeTakesMedianMinMax() {
    BenchTimer.Stats odd = BenchTimer.summarize(2, new double[] {5, 1, 3});
    assertEquals(3.0, odd.medianMs());
    assertEquals(1.0, odd.minMs());
    assertEquals(5.0, odd.maxMs());
    assertEquals(2, odd.warmup());
    BenchTimer.Stats even = BenchTimer.summarize(0, new double[] {4, 1, 2, 8});
    assertEquals(3.0, even.medianMs());
    assertEquals(4, even.iterations());
    assertEquals(2.0, new BenchTimer.Stats(0, 1, 500.0, 500.0, 500.0).gflops(1e9), 1e-12);
  }

  @Test
  void measureRunsWarmupPlusIterations() {
    AtomicInteger runs = new AtomicInteger();
    BenchTimer.Stats s = BenchTimer.measure(3, 7, runs::incrementAndGet);
    assertEquals(10, runs.get());
    assertEquals(7, s.iterations());
    assertTrue(s.minMs() >= 0 && s.minMs() <= s.medianMs() && s.medianMs() <= s.maxMs());
    assertThrows(IllegalArgumentException.class, () -> BenchTimer.measure(0, 0, () -> {}));
  }

  @Test
  void interleavedRunsEveryBodyWarmupPlusIterationsTimes() {
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    StringBuilder order = new StringBuilder();
    BenchTimer.Stats[] s = BenchTimer.measureInterleaved(1, 40,
        () -> { a.incrementAndGet(); order.append('a'); },
        () -> { b.incrementAndGet(); order.append('b'); });
    assertEquals(2, s.length);
    assertEquals(41, a.get());
    assertEquals(41, b.get());
    String timed = order.substring(2); // after warm-up: one pair per iteration
    java.util.Set<String> pairs = new java.util.HashSet<>();
    for (int i = 0; i < timed.length(); i += 2) {
      pairs.add(timed.substring(i, i + 2));
    }
    assertEquals(java.util.Set.of("ab", "ba"), pairs, "the order should vary: " + timed);
    assertEquals(40, s[1].iterations());
  }
}
