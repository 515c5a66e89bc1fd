package dev.roundhouse.host.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.registry.PluginRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The scaling benchmark runs every default variant through the real plugin jar and prints its table. */
class AttentionBenchTest {
  @Test
  void measuresEveryVariantAtEveryLength() {
    String dir = System.getProperty("roundhouse.test.plugins");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "plugin jars not built");
    AttentionBench.Options d = AttentionBench.Options.defaults();
    var o = new AttentionBench.Options(d.variants(), new int[] {16, 32}, 32, 2, 1, 1);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<AttentionBench.Point> points;
    try (PluginRegistry reg = new PluginRegistry(Path.of(dir));
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      points = AttentionBench.run(reg, o, out);
    }
    assertEquals(8, points.size());
    assertTrue(points.stream().allMatch(p -> p.millis() > 0 && Double.isFinite(p.millis())), points.toString());
    String table = text.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("swa(W=128)") && table.contains("kda") && table.contains("growth T=16 -> 32"), table);
    assertEquals(2 + 2 + 1, table.lines().count(), table);
  }

  @Test
  void coreTableComparesFullAndBandedAttentionOps() {
    AttentionBench.Options d = AttentionBench.Options.defaults();
    var o = new AttentionBench.Options(d.variants(), new int[] {8, 16, 32}, 32, 2, 1, 1);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<AttentionBench.Point> points;
    try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      points = AttentionBench.runCore(o, 8, out); // W=8 < T: the banded path, not full causal
    }
    assertEquals(6, points.size(), points.toString());
    assertEquals(List.of("mha core", "swa core(W=8)"), points.stream().map(AttentionBench.Point::variant).distinct()
        .toList());
    assertTrue(points.stream().allMatch(p -> p.millis() > 0 && Double.isFinite(p.millis())), points.toString());
    double g = AttentionBench.growth(points, "mha core", o.lengths());
    assertEquals(points.get(4).millis() / points.get(0).millis(), g, 1e-12);
    String table = text.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("growth T=8 -> 32 (length x4): mha core x") && table.contains("growth T=16 -> 32"), table);
    assertEquals(2 + 3 + 2, table.lines().count(), table);
  }
}
