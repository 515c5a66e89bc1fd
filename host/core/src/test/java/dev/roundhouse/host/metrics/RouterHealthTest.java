package dev.roundhouse.host.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterHealthTest {
  private static final double EPS = 1e-9;

  @Test
  void unevenLoadMatchesHandComputedValues() {
    // N = 80, E = 4, mean 20; deviations -10, 10, -20, 20 -> population var 250, std 15.8113883
    RouterHealth h = RouterHealth.compute(new long[] {10, 30, 0, 40});
    assertEquals(79.05694150420948, h.cvPct(), EPS);
    // p = 1/8, 3/8, 0, 1/2: H = 0.97431..., / ln 4
    assertEquals(0.7028195311147832, h.entropyNorm(), EPS);
    assertEquals(1.0, h.maxVio(), EPS); // (40 - 20) / 20
    assertEquals(0.5, h.maxLoadFrac(), EPS); // 40 / 80
    assertEquals(1, h.deadExperts());
  }

  @Test
  void threeExperts() {
    RouterHealth h = RouterHealth.compute(new long[] {1, 2, 3});
    assertEquals(40.8248290463863, h.cvPct(), EPS);
    assertEquals(0.920619835714305, h.entropyNorm(), EPS);
    assertEquals(0.5, h.maxVio(), EPS);
    assertEquals(0.5, h.maxLoadFrac(), EPS);
    assertEquals(0, h.deadExperts());
  }

  @Test
  void perfectlyEvenLoad() {
    RouterHealth h = RouterHealth.compute(new long[] {5, 5, 5, 5});
    assertEquals(new RouterHealth(0, 1, 0, 0.25, 0), h);
  }

  @Test
  void collapsedOntoOneExpert() {
    RouterHealth h = RouterHealth.compute(new long[] {0, 0, 12, 0});
    assertEquals(173.20508075688772, h.cvPct(), EPS); // std sqrt(27) / mean 3
    assertEquals(0.0, h.entropyNorm(), EPS);
    assertEquals(3.0, h.maxVio(), EPS);
    assertEquals(1.0, h.maxLoadFrac(), EPS);
    assertEquals(3, h.deadExperts());
  }

  @Test
  void noTokensAndSingleExpert() {
    assertEquals(new RouterHealth(0, 0, 0, 0, 3), RouterHealth.compute(new long[] {0, 0, 0}));
    assertEquals(new RouterHealth(0, 1, 0, 1, 0), RouterHealth.compute(new long[] {7}));
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> RouterHealth.compute(new long[0]));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RouterHealth.compute(new long[] {1, -2}));
    assertEquals("tokensPerExpert[1] is negative: -2", e.getMessage());
  }

  @Test
  void layerLoadCarriesHealthAndCopiesCounts() {
    long[] counts = {10, 30, 0, 40};
    LayerLoad l = LayerLoad.of(2, counts, -0.5, 0.25, 3, Map.of("code", new long[] {1, 2, 0, 4}));
    counts[0] = 99;
    assertEquals(10, l.tokensPerExpert()[0]);
    assertEquals(79.05694150420948, l.cvPct(), EPS);
    assertEquals(1, l.deadExperts());
    assertEquals(3, l.droppedTokens());
    assertEquals(-0.5, l.biasMin());
  }
}
