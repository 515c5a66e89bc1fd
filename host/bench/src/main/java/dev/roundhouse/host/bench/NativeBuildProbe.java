package dev.roundhouse.host.bench;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.env.NativeLibraries;
import dev.roundhouse.host.registry.PluginRegistry;
import java.util.Locale;

/**
 * One line per measurement for host/bench/scripts/native_builds.sh: the native build and BLAS in use, the fp32
 * gemm peak (1024^3, one thread) and the median fp32 tiny-moe training step. Run:
 * {@code java -cp <cli classpath> dev.roundhouse.host.bench.NativeBuildProbe [--warmup W] [--steps N]
 * [--set key=value ...]}.
 */
public final class NativeBuildProbe {
  private NativeBuildProbe() {}

  public static void main(String[] args) {
    int warmup = 2;
    int steps = 5;
    java.util.List<String> sets = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--set" -> sets.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --warmup W, --steps N, --set key=value)");
      }
    }
    double peak = GemmPeak.measure(1024, 3, 9);
    StepBench.Result r;
    try (PluginRegistry registry = PluginRegistry.openDefault()) {
      sets.addAll(StepBench.timingOverrides(warmup + steps));
      r = StepBench.run(ConfigLoader.load(null, sets), registry, warmup, steps);
    }
    System.out.println("native build: " + NativeLibraries.nd4jNativeBuild() + "; blas: " + NativeLibraries.blasLibraries());
    System.out.printf(Locale.ROOT, "fp32 gemm 1024^3: %.1f GFLOP/s; fp32 step: median %.0f ms wall, %.0f ms cpu, %.0f tokens/s%n",
        peak, r.medianWallMs(), r.medianCpuMs(), r.tokensPerSecond());
  }
}
