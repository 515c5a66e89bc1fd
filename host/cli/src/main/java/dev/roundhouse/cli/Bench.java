package dev.roundhouse.cli;

import dev.roundhouse.host.bench.AttentionBench;
import dev.roundhouse.host.bench.DataPrepareBench;
import dev.roundhouse.host.bench.ExpertGemmBench;
import dev.roundhouse.host.bench.GemmPeak;
import dev.roundhouse.host.bench.MatmulBench;
import dev.roundhouse.host.bench.MemoryCompare;
import dev.roundhouse.host.bench.MoeBench;
import dev.roundhouse.host.bench.PrecisionBench;
import dev.roundhouse.host.bench.StepBench;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.bench.Nd4jThreads;
import dev.roundhouse.host.env.NativeLibraries;
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
  static final List<String> SCENARIOS = List.of("matmul", "expert-gemms", "moe", "step", "experts", "attention",
      "precision");

  /** Scenarios run only when named (they start processes of their own and take minutes). */
  static final List<String> NAMED_ONLY = List.of("memory", "data-prepare");

  private Bench() {}

  /**
   * Full training step of configs/tiny-moe.json with 8 and with 64 routed experts (same top-k,
   * expert size and tokens), alternating twice; prints the median CPU and wall ratio 64 / 8.
   */
  private static Map<String, Object> expertScaling(PluginRegistry registry, PrintStream out) {
    Map<Integer, List<Double>> wall = new LinkedHashMap<>();
    Map<Integer, List<Double>> cpu = new LinkedHashMap<>();
    for (int round = 0; round < 2; round++) {
      for (int experts : new int[] {8, 64}) {
        List<String> sets = new java.util.ArrayList<>(StepBench.timingOverrides(2 + 4));
        sets.add("model.moe.routedExperts=" + experts);
        StepBench.Result r = StepBench.run(ConfigLoader.load(null, sets), registry, 2, 4);
        wall.computeIfAbsent(experts, k -> new java.util.ArrayList<>()).add(r.medianWallMs());
        cpu.computeIfAbsent(experts, k -> new java.util.ArrayList<>()).add(r.medianCpuMs());
      }
    }
    double wallRatio = median(wall.get(64)) / median(wall.get(8));
    double cpuRatio = median(cpu.get(64)) / median(cpu.get(8));
    out.printf(Locale.ROOT, "training step, 64 vs 8 routed experts (top-2, hidden 128): wall %.2fx, cpu %.2fx%n%n",
        wallRatio, cpuRatio);
    return Map.of("wall_ms", wall, "cpu_ms", cpu, "wall_ratio_64_over_8", wallRatio, "cpu_ratio_64_over_8", cpuRatio);
  }

  /**
   * The tiny-moe step as configured (data-parallel shards) and with one shard, in one process, and
   * the estimated model FLOP utilisation of each: achieved model FLOP/s over the one-thread square
   * gemm peak times the threads the step computes on (its shards).
   */
  private static Map<String, Object> stepWithAndWithoutShards(PluginRegistry registry, PrintStream out) {
    Map<String, Object> json = new LinkedHashMap<>();
    int shards = ConfigLoader.load(null, List.of()).train().dataParallel();
    double peak = GemmPeak.measure(1024, 3, 9);
    double configured = 0;
    for (int dp : shards > 1 ? new int[] {shards, 1} : new int[] {1}) {
      List<String> sets = new java.util.ArrayList<>(StepBench.timingOverrides(3 + 5));
      sets.add("train.dataParallel=" + dp);
      StepBench.Result r = StepBench.run(ConfigLoader.load(null, sets), registry, 3, 5);
      double mfu = r.modelGflops() / (peak * dp);
      out.printf(Locale.ROOT, "step (configs/tiny-moe.json, %d data-parallel shard%s): median %.0f ms wall, %.0f ms cpu,"
          + " %.0f tokens/s; model FLOP utilisation %.0f%% (%.1f GFLOP/step, %.0f GFLOP/s of %d x %.0f)%n", dp,
          dp == 1 ? "" : "s", r.medianWallMs(), r.medianCpuMs(), r.tokensPerSecond(), 100 * mfu,
          r.modelFlopsPerStep() / 1e9, r.modelGflops(), dp, peak);
      json.put(dp == shards ? "configured" : "one_shard", Map.of("data_parallel", dp, "median_wall_ms",
          r.medianWallMs(), "median_cpu_ms", r.medianCpuMs(), "tokens_per_s", r.tokensPerSecond(),
          "tokens_per_step", r.tokensPerStep(), "model_flops_per_step", r.modelFlopsPerStep(),
          "model_gflops", r.modelGflops(), "mfu", mfu));
      if (dp == shards && shards > 1) {
        configured = r.tokensPerSecond();
      } else if (configured > 0) {
        out.printf(Locale.ROOT, "  %d shards / 1 shard: %.2fx tokens/s%n", shards, configured / r.tokensPerSecond());
      }
    }
    out.printf(Locale.ROOT, "  gemm peak: %.1f GFLOP/s (FLOAT 1024^3, one thread)%n%n", peak);
    json.put("gemm_peak_gflops_one_thread", peak);
    return json;
  }

  private static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  static int run(List<String> requested, String jsonFile, PluginRegistry registry, PrintStream out) {
    return run(requested, jsonFile, registry, out, MemoryOptions.DEFAULTS, List.of(), List.of());
  }

  static int run(List<String> requested, String jsonFile, PluginRegistry registry, PrintStream out,
      MemoryOptions memory) {
    return run(requested, jsonFile, registry, out, memory, List.of(), List.of());
  }

  /**
   * Options of the memory scenario: cases, arena layouts, values of train.activationCheckpointing
   * (each layout x each value), extra overrides, steps per measurement.
   */
  record MemoryOptions(List<String> cases, List<String> arenas, List<String> recompute, List<String> sets, int steps) {
    static final MemoryOptions DEFAULTS = new MemoryOptions(List.of("tiny-moe"), List.of("step", "blocks"),
        List.of("none"), List.of(), 4);
  }

  /**
   * Runs the scenarios; {@code corpora} and {@code tokenizers} are the data-prepare scenario's
   * --corpus and --tokenizer options (empty: its defaults).
   */
  static int run(List<String> requested, String jsonFile, PluginRegistry registry, PrintStream out,
      MemoryOptions memory, List<String> corpora, List<String> tokenizers) {
    List<String> scenarios = requested.isEmpty() ? SCENARIOS : requested;
    for (String s : scenarios) {
      if (!SCENARIOS.contains(s) && !NAMED_ONLY.contains(s)) {
        throw new Args.UsageException("unknown bench scenario '" + s + "' (known: " + String.join(", ", SCENARIOS)
            + ", " + String.join(", ", NAMED_ONLY) + ")");
      }
    }
    out.println("threads: " + Nd4jThreads.describe() + "; blas: " + NativeLibraries.blasLibraries()
        + "; nd4j native build: " + NativeLibraries.nd4jNativeBuild());
    Map<String, Object> json = new LinkedHashMap<>();
    for (String s : scenarios) {
      if (s.equals("matmul")) {
        List<MatmulBench.Result> r = MatmulBench.run(MatmulBench.Config.defaults());
        out.println(MatmulBench.table(r));
        json.put("matmul", r);
      } else if (s.equals("expert-gemms")) {
        ExpertGemmBench.Config cfg = ExpertGemmBench.Config.defaults();
        ExpertGemmBench.Report r = ExpertGemmBench.run(cfg);
        out.println(ExpertGemmBench.table(r));
        json.put("expert_gemms", Map.of("config", cfg, "rows_per_expert", cfg.rowsPerExpert(), "results", r.results(),
            "raw_per_shape", r.shapes()));
      } else if (s.equals("moe")) {
        MoeBench.Config cfg = MoeBench.Config.defaults();
        List<MoeBench.Result> r = MoeBench.run(cfg, new int[] {8, 16, 32, 64, 128}, registry);
        out.println(MoeBench.table(cfg, r));
        json.put("moe", r);
        MoeBench.GroupedResult g = MoeBench.compareGrouped(cfg, 16, registry);
        out.println(MoeBench.groupedTable(cfg, g));
        json.put("moe_grouped", g);
      } else if (s.equals("step")) {
        json.put("step", stepWithAndWithoutShards(registry, out));
      } else if (s.equals("experts")) {
        json.put("experts", expertScaling(registry, out));
      } else if (s.equals("memory")) {
        json.put("memory", MemoryCompare.run(memory.cases(), memory.arenas(), memory.recompute(), memory.sets(),
            memory.steps(), out));
      } else if (s.equals("data-prepare")) {
        json.put("data_prepare", DataPrepareBench.run(corpora, tokenizers, out));
      } else if (s.equals("precision")) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bf16_products", dev.roundhouse.tensor.Bf16.describe());
        p.put("nd4j_native_build", NativeLibraries.nd4jNativeBuild());
        p.put("gemm_gflops", PrecisionBench.gemmRates(out));
        // batch 8 (half the reference batch): keeps each run under ~4 GB resident on a shared machine
        p.put("steps", PrecisionBench.steps(registry, List.of("train.batchSize=8"), 3, 3, 4, out));
        json.put("precision", p);
      } else if (s.equals("attention")) {
        AttentionBench.Options o = AttentionBench.Options.defaults();
        json.put("attention", AttentionBench.run(registry, o, out));
        out.println();
        json.put("attention_core", AttentionBench.runCore(o, AttentionBench.CORE_WINDOW, out));
        out.println();
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
