package dev.roundhouse.host.bench;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.env.ProcMemory;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.train.Runs;
import dev.roundhouse.tensor.MemoryPhases;
import dev.roundhouse.tensor.Parameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory of real training steps, by phase and by category, in this process: trains {@code steps}
 * steps of a run config with the real trainer (the last step also runs the evaluation and writes
 * the checkpoint) and reads the resident set at the trainer's phase marks ({@link MemoryPhases}).
 * Each phase's peak is the kernel's high-water mark since the previous mark (reset through
 * {@code /proc/self/clear_refs}), so the phases of one step add up to the process peak.
 *
 * <p>Categories: parameters, gradients (every shard's), optimizer state, the arrays the autograd
 * graph holds at the end of forward (saved activations; a lower bound), the rest of the forward
 * arena (temporaries), arena blocks reserved vs their largest cycle (slack), the JVM heap, and the
 * process before the run was built (JVM, native libraries, ND4J's start-up allocations). What the
 * resident set holds beyond these is reported as "other" (malloc caches, spilled arena blocks,
 * thread stacks).
 *
 * <p>Linux only (reads /proc/self); run one measurement per process ({@link MemoryCompare} starts
 * them) so that peaks do not mix.
 */
public final class MemoryBench {
  private MemoryBench() {}

  /** One phase of one step: resident set at its end, its peak, and the arenas of the marking thread. */
  public record Phase(int step, String phase, long rssBytes, long peakBytes, long graphBytes,
                      Map<String, long[]> workspaces) {}

  /** All of one measurement. */
  public record Result(String config, String engine, long tokensPerStep, long parameterCount, long baselineRss,
                       long peakRss, long parameterBytes, long gradientBytes, long optimizerBytes,
                       long heapUsedBytes, long heapCommittedBytes, List<Phase> phases, double medianStepMs) {}

  /** Trains {@code steps} steps of {@code cfg} (timing overrides applied by the caller) and measures. */
  public static Result measure(RunConfig cfg, PluginRegistry registry, int steps) {
    Nd4j.zeros(1); // ND4J and its native libraries loaded before the baseline
    System.gc();
    long baseline = ProcMemory.rss();
    ProcMemory.resetPeak();
    List<Phase> phases = java.util.Collections.synchronizedList(new ArrayList<>());
    int[] step = {1};
    List<Double> stepMs = new ArrayList<>();
    mainThread = Thread.currentThread();
    MemoryPhases.listen((phase, root) -> {
      if (Thread.currentThread() != mainThread) {
        return; // shard threads other than 0: their phases overlap the primary's
      }
      long peak = ProcMemory.peak();
      ProcMemory.resetPeak();
      phases.add(new Phase(step[0], phase, ProcMemory.rss(), peak, MemoryPhases.graphBytes(root),
          MemoryPhases.workspaces()));
      if (phase.equals("optimizer")) {
        step[0]++;
      }
    });
    Path root = tempDir();
    EventBus bus = new EventBus();
    bus.subscribe(e -> {
      if (e instanceof dev.roundhouse.host.metrics.RunEvent.Step s) {
        stepMs.add(s.stepMs());
      }
    });
    try {
      Runs.Prepared p = Runs.create(cfg, registry, root, bus);
      try {
        p.trainer().train();
      } finally {
        p.run().directory().close();
      }
      long peak = ProcMemory.peak();
      phases.add(new Phase(step[0] - 1, "eval, checkpoint", ProcMemory.rss(), peak, 0, MemoryPhases.workspaces()));
      long grads = 0;
      List<MoeTransformer> models = new ArrayList<>(p.run().shardReplicas());
      models.add(p.run().model());
      for (MoeTransformer m : models) {
        for (Parameter par : m.parameters()) {
          grads += bytes(par.grad());
        }
      }
      long params = 0;
      long count = 0;
      for (Parameter par : p.run().parameters()) {
        params += bytes(par.data());
        count += par.data().length();
      }
      long opt = 0;
      for (INDArray a : p.run().optimizer().state().values()) {
        opt += bytes(a);
      }
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      long processPeak = phases.stream().mapToLong(Phase::peakBytes).max().orElse(0);
      double median = stepMs.stream().sorted().skip(stepMs.size() / 2).findFirst().orElse(0.0);
      return new Result(cfg.name(), engine(), p.run().tokensPerStep(), count, baseline, processPeak, params,
          grads, opt, heap.getUsed(), heap.getCommitted(), List.copyOf(phases), median);
    } finally {
      MemoryPhases.listen(null);
      deleteQuietly(root);
    }
  }

  private static volatile Thread mainThread;

  /** The arena layout the engine runs with (system property {@code roundhouse.arena}). */
  static String engine() {
    return System.getProperty("roundhouse.arena", "default");
  }

  private static long bytes(INDArray a) {
    return a == null ? 0 : a.length() * a.dataType().width();
  }

  private static void deleteQuietly(Path root) {
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary folder is harmless
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("roundhouse-memorybench");
    } catch (IOException e) {
      throw new UncheckedIOException("MemoryBench: cannot create a temporary runs folder: " + e.getMessage(), e);
    }
  }

  /** The categories of {@code r} at its peak step, in bytes, in report order. */
  public static Map<String, Long> categories(Result r) {
    Map<String, Long> out = new LinkedHashMap<>();
    Phase forward = null;
    Map<String, long[]> arenas = Map.of();
    for (Phase p : r.phases()) {
      if (p.phase().equals("forward")) {
        forward = p;
      }
      if (!p.workspaces().isEmpty()) {
        arenas = p.workspaces();
      }
    }
    long saved = forward == null ? 0 : forward.graphBytes();
    long forwardInUse = 0;
    if (forward != null) {
      for (long[] w : forward.workspaces().values()) {
        forwardInUse += w[2];
      }
    }
    long reserved = 0;
    long slack = 0;
    for (long[] w : arenas.values()) {
      reserved += w[0];
      slack += w[0] > 0 ? Math.max(0, w[0] - w[1]) : 0; // an arena still learning has no block yet
    }
    out.put("parameters", r.parameterBytes());
    out.put("gradients", r.gradientBytes());
    out.put("optimizer state", r.optimizerBytes());
    out.put("saved activations (graph at end of forward)", saved);
    out.put("forward temporaries (rest of forward arena)", Math.max(0, forwardInUse - saved));
    out.put("arena blocks reserved (all arenas, training thread)", reserved);
    out.put("arena slack (reserved - largest cycle)", slack);
    out.put("JVM heap committed", r.heapCommittedBytes());
    out.put("process before the run (JVM, native libraries)", r.baselineRss());
    return out;
  }

  /** Child-process entry: {@code [--config file] [--steps N] [--set k=v ...]}; prints one MEMORY json line. */
  public static void main(String[] args) {
    Path config = null;
    int steps = 4;
    List<String> sets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = Path.of(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--set" -> sets.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --config file, --steps N, --set key=value)");
      }
    }
    sets.addAll(StepBench.timingOverrides(steps));
    RunConfig cfg = ConfigLoader.load(config, sets);
    Result r;
    try (PluginRegistry registry = PluginRegistry.openDefault()) {
      r = measure(cfg, registry, steps);
    }
    System.out.println("MEMORY " + Json.line(r));
    System.out.flush();
    System.exit(0);
  }
}
