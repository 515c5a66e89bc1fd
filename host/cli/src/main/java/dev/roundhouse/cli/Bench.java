package dev.roundhouse.cli;

import dev.roundhouse.host.bench.AttentionBench;
import dev.roundhouse.host.bench.MatmulBench;
import dev.roundhouse.host.bench.MoeBench;
import dev.roundhouse.host.bench.StepBench;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.bench.Nd4jThreads;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.AtomicFiles;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code roundhouse bench [SCENARIO ...] [--json FILE]}: runs named benchmark scenarios, prints a
 * table per scenario and optionally writes all results as JSON. Timings are never asserted in
 * tests; compare ratios within one run.
 */
final class Bench {
  static final List<String> SCENARIOS = List.of("matmul", "moe", "step", "attention");

  private Bench() {}

  static int run(List<String> requested, String jsonFile, PluginRegistry registry, PrintStream out) {
    List<String> scenarios = requested.isEmpty() ? SCENARIOS : requested;
    for (String s : scenarios) {
      if (!SCENARIOS.contains(s)) {
        throw new Args.UsageException("unknown bench scenario '" + s + "' (known: " + String.join(", ", SCENARIOS) + ")");
      }
    }
    out.println("threads: " + Nd4jThreads.describe());
    Map<String, Object> json = new LinkedHashMap<>();
    for (String s : scenarios) {
      if (s.equals("matmul")) {
        List<MatmulBench.Result> r = MatmulBench.run(MatmulBench.Config.defaults());
        out.println(MatmulBench.table(r));
        json.put("matmul", r);
      } else if (s.equals("moe")) {
        MoeBench.Config cfg = MoeBench.Config.defaults();
        List<MoeBench.Result> r = MoeBench.run(cfg, new int[] {8, 16, 32, 64, 128}, registry);
        out.println(MoeBench.table(cfg, r));
        json.put("moe", r);
      } else if (s.equals("step")) {
        StepBench.Result r = StepBench.run(ConfigLoader.load(null, StepBench.timingOverrides(3 + 5)), registry, 3, 5);
        out.printf(Locale.ROOT, "step (configs/tiny-moe.json): median %.0f ms wall, %.0f ms cpu, %.0f tokens/s%n%n",
            r.medianWallMs(), r.medianCpuMs(), r.tokensPerSecond());
        json.put("step", Map.of("median_wall_ms", r.medianWallMs(), "median_cpu_ms", r.medianCpuMs(),
            "tokens_per_s", r.tokensPerSecond(), "tokens_per_step", r.tokensPerStep()));
      } else if (s.equals("attention")) {
        json.put("attention", AttentionBench.run(registry, AttentionBench.Options.defaults(), out));
      }
    }
    if (jsonFile != null) {
      try {
        AtomicFiles.writeString(Path.of(jsonFile), Json.pretty(json));
      } catch (IOException e) {
        throw new UncheckedIOException(jsonFile + ": " + e.getMessage(), e);
      }
      out.println("results written to " + jsonFile);
    }
    return ExitCodes.OK;
  }
}
