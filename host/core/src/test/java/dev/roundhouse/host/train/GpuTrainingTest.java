package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.env.BackendInfo;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.StepArena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The engine and the real plugin jars on ND4J's CUDA backend. Runs only where the build has the CUDA
 * backend ({@code -Pcuda}) and a CUDA device answers; elsewhere (CI) every test is skipped with the
 * reason. Run: {@code mvn -B -Pcuda -pl host/core -am test -Dgroups=gpu -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("gpu")
class GpuTrainingTest {
  @TempDir Path runs;

  @BeforeEach
  void requireCuda() {
    BackendInfo info = BackendInfo.detect();
    Assumptions.assumeTrue(info.cuda(), "no CUDA: ND4J backend is " + info.backend()
        + " (build with -Pcuda on a machine with an NVIDIA GPU and the CUDA 11.6 runtime)");
    Assumptions.assumeTrue(Nd4j.getAffinityManager().getNumberOfDevices() > 0, "CUDA backend loaded but no device");
  }

  @Test
  void gemmOnTheDeviceMatchesAPlainJavaProduct() {
    int m = 67;
    int k = 45;
    int n = 33;
    Random rng = new Random(3);
    double[] a = new double[m * k];
    double[] b = new double[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = rng.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = rng.nextGaussian();
    }
    double[] got;
    try (StepArena ignored = StepArena.open("gpu-gemm")) {
      INDArray x = Nd4j.createFromArray(a).reshape(m, k).castTo(DataType.FLOAT);
      INDArray y = Nd4j.createFromArray(b).reshape(n, k).castTo(DataType.FLOAT); // used transposed
      got = MatOps.gemm(x, y.transpose().dup(), false, false).castTo(DataType.DOUBLE).reshape(m * (long) n).toDoubleVector();
      double[] gotT = MatOps.gemm(x, y, false, true).castTo(DataType.DOUBLE).reshape(m * (long) n).toDoubleVector();
      for (int i = 0; i < got.length; i++) {
        assertEquals(got[i], gotT[i], 1e-4, "transB flag, element " + i);
      }
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double want = 0;
        for (int p = 0; p < k; p++) {
          want += a[i * k + p] * b[j * k + p];
        }
        assertEquals(want, got[i * n + j], 1e-3 * (1 + Math.abs(want)), "C[" + i + "," + j + "]");
      }
    }
  }

  @Test
  void tinyMoeTrainsThroughThePluginJars() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Runs.Prepared p = Runs.create(TinyRuns.tiny(), reg, runs, new EventBus());
      Runs.execute(p);
      Path dir = p.run().directory().root();
      List<Double> losses = MetricsReader.read(dir.resolve("metrics.jsonl")).stream()
          .filter(e -> e instanceof RunEvent.Step).map(e -> ((RunEvent.Step) e).loss()).toList();
      assertEquals(30, losses.size());
      double first = losses.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = losses.subList(27, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(first > 5.0 && last < first - 1.0, "loss should fall from ~ln 256 on the GPU too: " + first + " -> " + last);
      String prov = Files.readString(dir.resolve("provenance.json"));
      assertTrue(prov.contains("JCublasBackend"), "provenance should name the CUDA backend: " + prov);
    }
  }

  /**
   * bf16-mixed on the device: the same plugin jar, no change; its products count as native (cuBLAS
   * bf16 gemm through the MatMul op), provenance says so, and the tiny MoE still learns.
   */
  @Test
  void bf16MixedRunsNativeBf16ProductsOnTheDevice() throws Exception {
    assertEquals(dev.roundhouse.tensor.Bf16.Mode.NATIVE, dev.roundhouse.tensor.Bf16.mode());
    try (PluginRegistry reg = TinyRuns.registry()) {
      Runs.Prepared p = Runs.create(TinyRuns.tiny("precision={\"type\":\"bf16-mixed\"}"), reg, runs, new EventBus());
      Runs.execute(p);
      Path dir = p.run().directory().root();
      List<Double> losses = MetricsReader.read(dir.resolve("metrics.jsonl")).stream()
          .filter(e -> e instanceof RunEvent.Step).map(e -> ((RunEvent.Step) e).loss()).toList();
      double first = losses.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = losses.subList(losses.size() - 3, losses.size()).stream().mapToDouble(Double::doubleValue)
          .average().orElseThrow();
      assertTrue(last < first - 1.0, "bf16-mixed loss should fall on the GPU: " + first + " -> " + last);
      String prov = Files.readString(dir.resolve("provenance.json"));
      assertTrue(prov.contains("CUDA bf16 gemm"), "provenance should say the bf16 products are native on CUDA: " + prov);
    }
  }
}
