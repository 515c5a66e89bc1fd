package dev.roundhouse.host.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Smoke test at tiny sizes: every body runs once and reports sane numbers (no timing limits). */
class ExpertGemmBenchTest {

  @Test
  void measuresEveryBodyWithGemmOnlyFlopCounts() {
    // 64 tokens, top-2 of 4 experts -> 32 rows per expert, d=16, h=8
    var cfg = new ExpertGemmBench.Config(64, 2, 4, 16, 8, 32, 0, 1);
    assertEquals(32, cfg.rowsPerExpert());
    assertEquals(2.0 * 32 * 32 * 32, cfg.flops(ExpertGemmBench.Body.RAW_SQUARE));
    assertEquals(4 * 9 * 2.0 * 32 * 16 * 8, cfg.flops(ExpertGemmBench.Body.ENGINE_SWIGLU));

    ExpertGemmBench.Report report = ExpertGemmBench.run(cfg);
    List<ExpertGemmBench.Result> results = report.results();
    assertEquals(ExpertGemmBench.Body.values().length, results.size());
    for (ExpertGemmBench.Result r : results) {
      assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
      assertTrue(r.pctOfRawSquare() > 0 && r.pctOfRawExpert() > 0, r.toString());
      assertEquals(cfg.flops(r.body()), r.flopsPerRun());
    }
    assertEquals(100.0, results.get(0).pctOfRawSquare(), 1e-9);
    assertEquals(100.0, results.get(1).pctOfRawExpert(), 1e-9);
    assertEquals(ExpertGemmShape.values().length, report.shapes().size());
    assertTrue(report.shapes().stream().allMatch(r -> r.gflops() > 0 && Double.isFinite(r.gflops())),
        report.shapes().toString());
    assertEquals("dW2 = dy^T H [32x16]^T [32x8]", report.shapes().get(2).gemm());
    String table = ExpertGemmBench.table(report);
    assertEquals(2 + results.size() + 1 + report.shapes().size(), table.lines().count(), table);
    assertTrue(table.contains("32 rows/expert") && table.contains("engine SwiGlu fwd+bwd"), table);
    assertNull(Nd4j.getMemoryManager().getCurrentWorkspace(), "bench left a workspace open");
  }

  @Test
  void referenceSizesComeFromTheEmbeddedDefaultConfig() {
    var d = ExpertGemmBench.Config.defaults();
    assertEquals(4096, d.tokens());
    assertEquals(16, d.experts());
    assertEquals(512, d.rowsPerExpert());
    assertEquals(256, d.dModel());
    assertEquals(128, d.hidden());
    assertTrue(d.repeats() >= 5, "median of at least 5 repeats");
  }

  @Test
  void rejectsBadSizes() {
    assertThrows(IllegalArgumentException.class, () -> new ExpertGemmBench.Config(0, 2, 4, 16, 8, 32, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new ExpertGemmBench.Config(64, 2, 4, 16, 8, 32, 0, 0));
  }
}
