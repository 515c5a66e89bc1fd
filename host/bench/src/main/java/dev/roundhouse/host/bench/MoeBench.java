package dev.roundhouse.host.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.model.DispatchPlan;
import dev.roundhouse.host.model.InitScheme;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One MoE layer (the real {@link MoeLayer} with the softmax-topk router plugin and fp32 precision),
 * forward + backward, versus the number of routed experts at fixed top-k and expert size. Default
 * shape: N = 4096 tokens, d = 256, expert hidden 128, top-2, experts 8..128, no shared experts (the
 * routed part alone), random N(0, 1) inputs and output gradient. Every expert count gets its own
 * layer; the counts are timed interleaved ({@link BenchTimer#measureInterleaved}) so load from
 * other processes hits them alike. Reported per count: median wall ms, median process-CPU ms,
 * tokens/s, time relative to the smallest count, and routed-expert GFLOP/s (the three SwiGLU
 * products of k experts per token, forward and backward: 3 * 2 * 3 * d * h * k flops per token).
 *
 * <p>Run: {@code java -cp <cli classpath> -Droundhouse.plugins.dir=<plugins>
 * dev.roundhouse.host.bench.MoeBench [--tokens N] [--d D] [--hidden H] [--topk K] [--shared S]
 * [--iterations I] [--grouped] [E ...]}; {@code --grouped} times, per expert count, the grouped
 * routed-expert products against one SwiGLU per expert block ({@link #compareGrouped}).
 */
public final class MoeBench {
  private MoeBench() {}

  /** The fixed part of the layer shape and how long to measure. */
  public record Config(int tokens, int dModel, int hidden, int topK, int shared, int warmup, int iterations) {
    public static Config defaults() {
      return new Config(4096, 256, 128, 2, 0, 3, 9);
    }

    /** Routed-expert flops of one forward + backward. */
    public double routedFlops() {
      return 3.0 * 2 * 3 * dModel * (double) hidden * topK * tokens;
    }
  }

  /** One measured expert count. */
  public record Result(int experts, BenchTimer.Stats wall, double cpuMedianMs, double tokensPerS, double gflops) {}

  /** Measures every expert count with the router and precision plugins of {@code registry}. */
  public static List<Result> run(Config cfg, int[] expertCounts, PluginRegistry registry) {
    Runnable[] bodies = new Runnable[expertCounts.length];
    double[][] cpu = new double[expertCounts.length][cfg.iterations() + cfg.warmup()];
    for (int i = 0; i < expertCounts.length; i++) {
      bodies[i] = cpuTimed(body(cfg, expertCounts[i], registry), cpu[i]);
    }
    BenchTimer.Stats[] stats = BenchTimer.measureInterleaved(cfg.warmup(), cfg.iterations(), bodies);
    List<Result> out = new ArrayList<>();
    for (int i = 0; i < expertCounts.length; i++) {
      double[] timed = java.util.Arrays.copyOfRange(cpu[i], cfg.warmup(), cfg.warmup() + cfg.iterations());
      double ms = stats[i].medianMs();
      out.add(new Result(expertCounts[i], stats[i], BenchTimer.summarize(0, timed).medianMs(),
          cfg.tokens() / (ms / 1000), cfg.routedFlops() / (ms * 1e-3) / 1e9));
    }
    return out;
  }

  /** Grouped routed-expert products vs one SwiGLU per expert block, same layer shape and inputs. */
  public record GroupedResult(int experts, Result perExpert, Result grouped) {
    /** Per-expert time over grouped time (wall, median): above 1 means grouped is faster. */
    public double speedupWall() {
      return perExpert.wall().medianMs() / grouped.wall().medianMs();
    }

    /** The same ratio on process CPU time. */
    public double speedupCpu() {
      return perExpert.cpuMedianMs() / grouped.cpuMedianMs();
    }
  }

  /**
   * One layer with {@code experts} routed experts run with the grouped products ({@code
   * MoeLayer.groupedExperts(true)}, the default for fp32) and with one SwiGLU per expert block,
   * interleaved; same weights, inputs and routing.
   */
  public static GroupedResult compareGrouped(Config cfg, int experts, PluginRegistry registry) {
    Runnable[] bodies = new Runnable[2];
    double[][] cpu = new double[2][cfg.iterations() + cfg.warmup()];
    for (int i = 0; i < 2; i++) {
      bodies[i] = cpuTimed(body(cfg, experts, registry, i == 1), cpu[i]);
    }
    BenchTimer.Stats[] stats = BenchTimer.measureInterleaved(cfg.warmup(), cfg.iterations(), bodies);
    Result[] r = new Result[2];
    for (int i = 0; i < 2; i++) {
      double[] timed = java.util.Arrays.copyOfRange(cpu[i], cfg.warmup(), cfg.warmup() + cfg.iterations());
      double ms = stats[i].medianMs();
      r[i] = new Result(experts, stats[i], BenchTimer.summarize(0, timed).medianMs(), cfg.tokens() / (ms / 1000),
          cfg.routedFlops() / (ms * 1e-3) / 1e9);
    }
    return new GroupedResult(experts, r[0], r[1]);
  }

  /** One line per side of {@link #compareGrouped}. */
  public static String groupedTable(Config cfg, GroupedResult g) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "MoE layer fwd+bwd, %d routed experts, %d tokens, top-%d (fp32): grouped expert products vs one SwiGLU per expert%n",
        g.experts(), cfg.tokens(), cfg.topK()));
    sb.append(String.format(Locale.ROOT, "%-22s | %10s | %10s | %14s%n", "form", "wall ms", "cpu ms", "routed GFLOP/s"));
    for (Result r : List.of(g.perExpert(), g.grouped())) {
      sb.append(String.format(Locale.ROOT, "%-22s | %10.1f | %10.1f | %14.1f%n", r == g.grouped() ? "grouped" : "per expert",
          r.wall().medianMs(), r.cpuMedianMs(), r.gflops()));
    }
    sb.append(String.format(Locale.ROOT, "grouped speed-up: %.2fx wall, %.2fx cpu%n", g.speedupWall(), g.speedupCpu()));
    return sb.toString();
  }

  /** Forward + backward of a fresh layer with {@code experts} routed experts, one arena per run. */
  static Runnable body(Config cfg, int experts, PluginRegistry registry) {
    return body(cfg, experts, registry, true);
  }

  /** {@link #body} with the grouped expert products allowed or not. */
  static Runnable body(Config cfg, int experts, PluginRegistry registry, boolean grouped) {
    long seed = 1234 + experts;
    InitScheme init = new InitScheme(0.02, 4, DataType.FLOAT, seed);
    JsonNode routerCfg = json("{\"type\": \"softmax-topk\", \"auxLossCoef\": 0.01}");
    Router router = (Router) registry.build(Kind.ROUTER, routerCfg,
        new RouterContext(cfg.dModel(), experts, cfg.topK(), 1, init.scoped("moe.router."), seed), "router");
    PrecisionPolicy precision = (PrecisionPolicy) registry.build(Kind.PRECISION, json("{\"type\": \"fp32\"}"),
        new PrecisionContext(4, seed), "precision");
    MoeLayer layer = new MoeLayer("softmax-topk", router, init.scoped("moe."), cfg.dModel(), experts, cfg.hidden(),
        cfg.shared(), cfg.hidden() * 2, null, DispatchPlan.DropPolicy.POSITION, precision).groupedExperts(grouped);
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.randn(DataType.FLOAT, cfg.tokens(), cfg.dModel()); // [N, d], outside any arena
    INDArray seedGrad = Nd4j.randn(DataType.FLOAT, cfg.tokens(), cfg.dModel());
    Parameter input = new Parameter("x", dev.roundhouse.tensor.ParamRole.OTHER, x); // so dx is computed too
    List<Parameter> params = layer.parameters();
    return () -> {
      try (StepArena arena = StepArena.open("bench-moe")) {
        Tensor out = layer.forward(input, 256);
        out.backward(seedGrad);
      }
      input.zeroGrad();
      params.forEach(Parameter::zeroGrad);
    };
  }

  private static JsonNode json(String s) {
    try {
      return ConfigLoader.mapper().readTree(s);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fixed-width table, one row per expert count. */
  public static String table(Config cfg, List<Result> results) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "MoE layer fwd+bwd: %d tokens, d=%d, expert hidden %d, top-%d, %d shared; threads %s, OMP_NUM_THREADS=%s%n",
        cfg.tokens(), cfg.dModel(), cfg.hidden(), cfg.topK(), cfg.shared(), Nd4jThreads.describe(),
        System.getenv("OMP_NUM_THREADS")));
    sb.append(String.format(Locale.ROOT, "%8s | %10s | %10s | %10s | %9s | %14s%n",
        "experts", "wall ms", "cpu ms", "tokens/s", "vs first", "routed GFLOP/s"));
    double first = results.isEmpty() ? Double.NaN : results.get(0).wall().medianMs();
    for (Result r : results) {
      sb.append(String.format(Locale.ROOT, "%8d | %10.1f | %10.1f | %10.0f | %8.2fx | %14.1f%n", r.experts(),
          r.wall().medianMs(), r.cpuMedianMs(), r.tokensPerS(), r.wall().medianMs() / first, r.gflops()));
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    Config d = Config.defaults();
    int tokens = d.tokens();
    int dm = d.dModel();
    int hidden = d.hidden();
    int topK = d.topK();
    int shared = d.shared();
    int iterations = d.iterations();
    List<Integer> counts = new ArrayList<>();
    boolean grouped = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tokens" -> tokens = Integer.parseInt(args[++i]);
        case "--d" -> dm = Integer.parseInt(args[++i]);
        case "--hidden" -> hidden = Integer.parseInt(args[++i]);
        case "--topk" -> topK = Integer.parseInt(args[++i]);
        case "--shared" -> shared = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--grouped" -> grouped = true;
        default -> counts.add(Integer.parseInt(args[i]));
      }
    }
    int[] experts = counts.isEmpty() ? new int[] {8, 16, 32, 64, 128}
        : counts.stream().mapToInt(Integer::intValue).toArray();
    Config cfg = new Config(tokens, dm, hidden, topK, shared, d.warmup(), iterations);
    try (PluginRegistry registry = PluginRegistry.openDefault()) {
      if (grouped) {
        for (int e : experts) {
          System.out.print(groupedTable(cfg, compareGrouped(cfg, e, registry)));
        }
        return;
      }
      System.out.print(table(cfg, run(cfg, experts, registry)));
    }
  }

  /** {@code body}, writing the process CPU milliseconds of its n-th call into {@code samples[n]}. */
  private static Runnable cpuTimed(Runnable body, double[] samples) {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    int[] call = {0};
    return () -> {
      long c0 = os.getProcessCpuTime();
      body.run();
      samples[call[0]++] = (os.getProcessCpuTime() - c0) / 1e6;
    };
  }
}
