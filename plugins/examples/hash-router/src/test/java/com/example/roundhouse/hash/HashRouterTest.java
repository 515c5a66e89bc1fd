package com.example.roundhouse.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hash router on random token rows: valid, deterministic, scale-invariant and balanced. */
class HashRouterTest {
  private static final int D = 16;
  private static final int E = 8;
  private static final int K = 2;

  private static Router router(HashRouterConfig cfg, long seed) {
    // The hash router makes no parameters, so it needs no ParameterFactory.
    return new HashRouterProvider().build(cfg, new RouterContext(D, E, K, 1, null, seed));
  }

  private static INDArray rows(int n, long seed) {
    return Nd4j.randn(seed, new long[] {n, D}).castTo(DataType.FLOAT); // [N, d]
  }

  @Test
  void everyTokenGetsKDistinctExpertsWithGatesSummingToOne() {
    int n = 64;
    Routing r = router(HashRouterConfig.defaults(), 1).route(Tensor.constant(rows(n, 3)), 16);
    assertEquals(n * K, r.expertIndex().length);
    double[] gates = r.gates().data().castTo(DataType.DOUBLE).toDoubleVector();
    for (int t = 0; t < n; t++) {
      Set<Integer> experts = new HashSet<>();
      double sum = 0;
      for (int j = 0; j < K; j++) {
        int m = t * K + j;
        assertEquals(t, r.tokenIndex()[m]);
        assertTrue(r.expertIndex()[m] >= 0 && r.expertIndex()[m] < E, "expert " + r.expertIndex()[m]);
        experts.add(r.expertIndex()[m]);
        sum += gates[m];
      }
      assertEquals(K, experts.size(), "token " + t + " got a repeated expert");
      assertEquals(1.0, sum, 1e-6);
    }
    assertTrue(r.losses().isEmpty(), "hash routing has no aux loss");
    assertTrue(router(HashRouterConfig.defaults(), 1).parameters().isEmpty());
  }

  @Test
  void sameRowSameExpertsAtAnyPositiveScaleAndSeedFixesTheHash() {
    INDArray x = rows(32, 5);
    Router a = router(HashRouterConfig.defaults(), 7);
    int[] once = a.route(Tensor.constant(x), 8).expertIndex();
    assertArrayEquals(once, a.route(Tensor.constant(x.mul(3.0f)), 8).expertIndex(), "SimHash ignores row length");
    assertArrayEquals(once, router(HashRouterConfig.defaults(), 7).route(Tensor.constant(x), 8).expertIndex(),
        "same seed and layer, same hyperplanes");
    assertFalse(Arrays.equals(once, router(HashRouterConfig.defaults(), 8).route(Tensor.constant(x), 8).expertIndex()),
        "another seed draws other hyperplanes");
    assertFalse(Arrays.equals(once, router(new HashRouterConfig(null, 99L), 7).route(Tensor.constant(x), 8).expertIndex()),
        "another salt gives another assignment");
  }

  @Test
  void randomTokensSpreadEvenlyOverExpertsInsideAStepArena() {
    int n = 4096;
    long[] counts;
    try (StepArena ignored = StepArena.open("hash-test")) {
      counts = router(new HashRouterConfig(16, null), 11).route(Tensor.constant(rows(n, 13)), 64).tokensPerExpert();
    }
    double mean = n * (double) K / E;
    for (int e = 0; e < E; e++) {
      assertEquals(mean, counts[e], 0.2 * mean, "expert " + e + " load " + Arrays.toString(counts));
    }
  }

  @Test
  void badConfigNamesTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HashRouterConfig(0, null));
    assertTrue(e.getMessage().contains("bits"), e.getMessage());
  }
}
