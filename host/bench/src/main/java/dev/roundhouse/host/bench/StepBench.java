package dev.roundhouse.host.bench;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.train.Runs;
import dev.roundhouse.tensor.OpProfiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Full training step throughput of a run config (default: the embedded tiny-moe): builds the run
 * with the real plugins in a temporary runs folder and trains {@code warmup + steps} steps with
 * the real {@code Trainer}; each step's wall time is the trainer's own step time (forward,
 * backward, clipping, optimizer, zeroing), each step's CPU time the process CPU time between
 * consecutive step events (all threads, so it is comparable across thread counts and less
 * sensitive to other processes than wall time). Reports the median over the timed steps.
 *
 * <p>With {@code -Droundhouse.profile=true} it also prints the per-op profile of the timed steps
 * (add {@code -Droundhouse.profile.clock=cpu} to profile CPU time) and the time outside every op.
 * Run: {@code java -cp <cli classpath> -Droundhouse.plugins.dir=<plugins>
 * dev.roundhouse.host.bench.StepBench [--config file] [--warmup W] [--steps N] [--set key=value ...]
 * [--concurrent R]}; with R > 1 it trains R independent copies at once on R threads (runs with
 * data-parallel shards share the process's shard threads: add {@code --set train.dataParallel=1}).
 */
public final class StepBench {
  private StepBench() {}

  /**
   * Per-step timings of one run: wall and process CPU milliseconds per timed step, and the op
   * profile of the timed steps (empty unless profiling is on); {@code modelFlopsPerStep} is the
   * estimate 3 x forward FLOPs per token x tokens (matmul-dominant terms, see ModelSummary).
   */
  public record Result(String config, long tokensPerStep, double[] wallMs, double[] cpuMs,
                       Map<String, double[]> profile, long modelFlopsPerStep) {
    public double medianWallMs() {
      return BenchTimer.summarize(0, wallMs).medianMs();
    }

    public double medianCpuMs() {
      return BenchTimer.summarize(0, cpuMs).medianMs();
    }

    public double tokensPerSecond() {
      return tokensPerStep / (medianWallMs() / 1000);
    }

    /** Achieved model GFLOP/s at the median step. */
    public double modelGflops() {
      return modelFlopsPerStep / (medianWallMs() / 1000) / 1e9;
    }
  }

  /** Trains {@code warmup + steps} steps of {@code cfg} and times the last {@code steps}. */
  public static Result run(RunConfig cfg, PluginRegistry registry, int warmup, int steps) {
    if (warmup < 0 || steps < 1) {
      throw new IllegalArgumentException("need warmup >= 0 and steps >= 1, got " + warmup + ", " + steps);
    }
    Path root = tempDir();
    var cpu = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] wall = new double[steps];
    double[] cpuMs = new double[steps];
    long[] lastCpu = {cpu.getProcessCpuTime()};
    List<Map<String, double[]>> profile = new ArrayList<>(List.of(Map.of()));
    EventBus bus = new EventBus();
    bus.subscribe(e -> {
      if (e instanceof RunEvent.Step s) {
        long now = cpu.getProcessCpuTime();
        int i = (int) s.step() - 1 - warmup;
        if (i == -1 && OpProfiler.ENABLED) {
          OpProfiler.clear();
        }
        if (i >= 0 && i < steps) {
          wall[i] = s.stepMs();
          cpuMs[i] = (now - lastCpu[0]) / 1e6;
        }
        if (i == steps - 1 && OpProfiler.ENABLED) {
          profile.set(0, OpProfiler.snapshot()); // before the final evaluation
        }
        lastCpu[0] = now;
      }
    });
    try {
      Runs.Prepared p = Runs.create(cfg, registry, root, bus);
      try {
        p.trainer().train();
      } finally {
        p.run().directory().close();
      }
      return new Result(cfg.name(), p.run().tokensPerStep(), wall, cpuMs, profile.get(0),
          3 * p.run().summary().forwardFlopsPerToken() * p.run().tokensPerStep());
    } finally {
      deleteQuietly(root);
    }
  }

  /** The settings that make a run a pure step timing: every step logged, no evals or checkpoints. */
  public static List<String> timingOverrides(int totalSteps) {
    return List.of("train.steps=" + totalSteps, "train.logEvery=1", "train.evalEvery=" + (totalSteps + 1000),
        "train.evalBatches=1", "train.checkpointEvery=" + (totalSteps + 1000));
  }

  public static void main(String[] args) {
    Path config = null;
    int warmup = 3;
    int steps = 7;
    List<String> sets = new ArrayList<>();
    int concurrent = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = Path.of(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--set" -> sets.add(args[++i]);
        case "--concurrent" -> concurrent = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --config file, --warmup W, --steps N, --set key=value, --concurrent R)");
      }
    }
    List<String> all = new ArrayList<>(sets);
    all.addAll(timingOverrides(warmup + steps));
    RunConfig cfg = ConfigLoader.load(config, all);
    Result r;
    try (PluginRegistry registry = PluginRegistry.openDefault()) {
      if (concurrent > 1) {
        printConcurrent(cfg, registry, warmup, steps, concurrent);
        return;
      }
      r = run(cfg, registry, warmup, steps);
    }
    System.out.println("step " + r.config() + ": threads " + Nd4jThreads.describe() + ", OMP_NUM_THREADS="
        + System.getenv("OMP_NUM_THREADS") + ", data-parallel shards " + cfg.train().dataParallel() + ", "
        + r.tokensPerStep() + " tokens/step, warm-up " + warmup);
    System.out.println("  blas: " + dev.roundhouse.host.env.NativeLibraries.blasLibraries());
    StringBuilder each = new StringBuilder("  wall ms:");
    for (double w : r.wallMs()) {
      each.append(String.format(Locale.ROOT, " %.0f", w));
    }
    each.append("\n  cpu ms: ");
    for (double c : r.cpuMs()) {
      each.append(String.format(Locale.ROOT, " %.0f", c));
    }
    System.out.println(each);
    System.out.printf(Locale.ROOT, "median of %d steps: %.1f ms wall, %.1f ms cpu, %.0f tokens/s%n",
        steps, r.medianWallMs(), r.medianCpuMs(), r.tokensPerSecond());
    if (OpProfiler.ENABLED) {
      System.out.print(OpProfiler.report(r.profile()));
      double ops = r.profile().values().stream().mapToDouble(v -> v[0]).sum();
      double total = OpProfiler.CPU_CLOCK ? java.util.Arrays.stream(r.cpuMs()).sum()
          : java.util.Arrays.stream(r.wallMs()).sum();
      System.out.printf(Locale.ROOT, "%-40s %10.1f%n%-40s %10.1f%n", "sum of ops", ops,
          "not in ops (optimizer, clipping, ...)", total - ops);
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("roundhouse-stepbench");
    } catch (IOException e) {
      throw new UncheckedIOException("StepBench: cannot create a temporary runs folder: " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary folder is harmless
    }
  }

  /**
   * R independent runs of {@code cfg} trained at the same time on R Java threads (each run its own
   * model, arena and data; ND4J ops with one OpenMP thread each): how far whole steps scale across
   * cores when nothing is shared. Prints each run's median and the summed tokens/s.
   */
  static void printConcurrent(RunConfig cfg, PluginRegistry registry, int warmup, int steps, int runs) {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(runs);
    try {
      List<java.util.concurrent.Future<Result>> futures = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        futures.add(pool.submit(() -> run(cfg, registry, warmup, steps)));
      }
      double tokensPerSecond = 0;
      for (int i = 0; i < runs; i++) {
        Result r = futures.get(i).get();
        tokensPerSecond += r.tokensPerSecond();
        System.out.printf(Locale.ROOT, "concurrent run %d/%d: median %.1f ms wall per step of %d tokens%n", i + 1,
            runs, r.medianWallMs(), r.tokensPerStep());
      }
      System.out.printf(Locale.ROOT, "%d concurrent runs, threads per run %s: %.0f tokens/s in all%n", runs,
          Nd4jThreads.describe(), tokensPerSecond);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a concurrent run failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
