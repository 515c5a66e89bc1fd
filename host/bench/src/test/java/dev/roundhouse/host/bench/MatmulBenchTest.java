package dev.roundhouse.host.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Smoke test: the benchmark runs every variant and reports positive numbers (no timing limits). */
class MatmulBenchTest {

  @Test
  void producesPositiveThroughputForEverySizeAndVariant() {
    var cfg = new MatmulBench.Config(new int[] {32, 64}, DataType.FLOAT, 1, 0.01);
    List<MatmulBench.Result> results = MatmulBench.run(cfg);
    assertEquals(2 * MatmulBench.Variant.values().length, results.size());
    for (MatmulBench.Result r : results) {
      assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
      assertTrue(r.stats().minMs() <= r.stats().medianMs() && r.stats().medianMs() <= r.stats().maxMs(), r.toString());
      assertEquals("FLOAT", r.dtype());
    }
    String table = MatmulBench.table(results);
    assertTrue(table.lines().anyMatch(l -> l.trim().startsWith("64 ")), table);
    assertTrue(table.contains("engine fwd+bwd"), table);
    assertEquals(null, Nd4j.getMemoryManager().getCurrentWorkspace(), "bench left a workspace open");
  }

  @Test
  void configRejectsBadSizes() {
    assertThrows(IllegalArgumentException.class,
        () -> new MatmulBench.Config(new int[] {0}, DataType.FLOAT, 1, 1.0));
    assertThrows(IllegalArgumentException.class,
        () -> new MatmulBench.Config(new int[0], DataType.FLOAT, 1, 1.0));
  }
}
