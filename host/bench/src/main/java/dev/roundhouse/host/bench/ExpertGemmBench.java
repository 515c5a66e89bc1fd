package dev.roundhouse.host.bench;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.model.InitScheme;
import dev.roundhouse.host.model.SwiGlu;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Routed-expert gemm efficiency at the reference sizes of configs/tiny-moe.json (issue 9: "routed-
 * expert gemms >= 70% of measured raw gemm GFLOP/s"). Shape from the config: N = batchSize * seqLen
 * tokens, top-k of E routed experts, so with balanced routing every expert gets n = N * k / E rows
 * (4096 * 2 / 16 = 512), d = dModel, h = expertHidden. Per expert one SwiGLU forward + backward is 9
 * gemms of 2 n d h flops each (forward: x W1^T, x W3^T, H W2^T; backward: dW2, dH, dW1, dX, dW3, dX).
 *
 * <p>Four bodies, timed interleaved in one process ({@link BenchTimer#measureInterleaved}), FLOAT:
 * <ul>
 *   <li>{@link Body#RAW_SQUARE}: {@code Nd4j.gemm} n x n x n into a preallocated output (the peak);</li>
 *   <li>{@link Body#RAW_EXPERT}: the 9 gemms of every expert with the engine's shapes and transpose
 *       flags, {@code Nd4j.gemm} into preallocated outputs (the peak at the expert shapes);</li>
 *   <li>{@link Body#ENGINE_GEMMS}: the same 9 gemms per expert through {@link MatOps#linearT} and its
 *       backward (no silu, no multiply), one {@link StepArena} per run;</li>
 *   <li>{@link Body#ENGINE_SWIGLU}: the real {@link SwiGlu} experts forward + backward (what {@code
 *       MoeLayer} runs per expert block), one StepArena per run. GFLOP/s counts the gemm flops only,
 *       so the silu/multiply time shows as lost efficiency.</li>
 * </ul>
 * Besides, each of the six distinct (shape, transpose) products among the 9 is timed raw on its own
 * ({@link ExpertGemmShape}), to show which of them falls short of the square peak.
 * Run: {@code java -cp <host/core classpath> dev.roundhouse.host.bench.ExpertGemmBench [--repeats N]}.
 */
public final class ExpertGemmBench {
  private ExpertGemmBench() {}

  /** What is timed. */
  public enum Body {
    RAW_SQUARE("raw Nd4j.gemm n^3, prealloc"),
    RAW_EXPERT("raw Nd4j.gemm, 9/expert"),
    ENGINE_GEMMS("engine linearT only, 9/expert"),
    ENGINE_SWIGLU("engine SwiGlu fwd+bwd");

    private final String label;

    Body(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** Shape and measurement length. {@code squareN} is the size of the square peak gemm. */
  public record Config(int tokens, int topK, int experts, int dModel, int hidden, int squareN, int warmup,
                       int repeats) {
    public Config {
      if (tokens < 1 || topK < 1 || experts < 1 || dModel < 1 || hidden < 1 || squareN < 1) {
        throw new IllegalArgumentException("expert-gemm bench: sizes must be positive, got tokens=" + tokens
            + " topK=" + topK + " experts=" + experts + " dModel=" + dModel + " hidden=" + hidden
            + " squareN=" + squareN);
      }
      if (warmup < 0 || repeats < 1) {
        throw new IllegalArgumentException("expert-gemm bench: need warmup >= 0 and repeats >= 1, got "
            + warmup + ", " + repeats);
      }
    }

    /** The reference sizes of a run config: tokens = batchSize * seqLen, its MoE shape. */
    public static Config of(RunConfig run, int squareN, int warmup, int repeats) {
      return new Config(run.train().batchSize() * run.model().seqLen(), run.model().moe().topK(),
          run.model().moe().routedExperts(), run.model().dModel(), run.model().moe().expertHidden(), squareN,
          warmup, repeats);
    }

    /** The embedded default config (configs/tiny-moe.json), n = 1024 square, 5 warm-up runs, median of 15. */
    public static Config defaults() {
      return of(ConfigLoader.load(null, List.of()), 1024, 5, 15);
    }

    /** Rows per expert under balanced routing: ceil(tokens * topK / experts). */
    public int rowsPerExpert() {
      return (int) ((tokens * (long) topK + experts - 1) / experts);
    }

    /** Gemm flops of one run of {@code b}. */
    public double flops(Body b) {
      if (b == Body.RAW_SQUARE) {
        return 2.0 * squareN * squareN * (double) squareN;
      }
      return experts * 9 * 2.0 * rowsPerExpert() * dModel * (double) hidden;
    }
  }

  /** One raw shape class: {@code experts} gemms of it (distinct operands per expert) per run. */
  public record ShapeResult(ExpertGemmShape shape, String gemm, BenchTimer.Stats stats, double gflops, double pctOfRawSquare) {}

  /** Everything one run measured. */
  public record Report(Config config, List<Result> results, List<ShapeResult> shapes) {}

  /** One measured body; percentages are of the two raw bodies' GFLOP/s. */
  public record Result(Body body, String label, double flopsPerRun, BenchTimer.Stats stats, double gflops,
                       double pctOfRawSquare, double pctOfRawExpert) {}

  /**
   * Measures the four bodies and the six raw shape classes, all interleaved; results in {@link
   * Body} order, shapes in {@link ExpertGemmShape} order.
   */
  public static Report run(Config cfg) {
    Body[] bodies = Body.values();
    ExpertGemmShape[] shapes = ExpertGemmShape.values();
    Runnable[] work = new Runnable[bodies.length + shapes.length];
    for (int i = 0; i < bodies.length; i++) {
      work[i] = body(bodies[i], cfg);
    }
    for (int i = 0; i < shapes.length; i++) {
      work[bodies.length + i] = rawShape(shapes[i], cfg);
    }
    BenchTimer.Stats[] stats = BenchTimer.measureInterleaved(cfg.warmup(), cfg.repeats(), work);
    double[] gflops = new double[bodies.length];
    for (int i = 0; i < bodies.length; i++) {
      gflops[i] = stats[i].gflops(cfg.flops(bodies[i]));
    }
    List<Result> out = new ArrayList<>();
    for (int i = 0; i < bodies.length; i++) {
      out.add(new Result(bodies[i], bodies[i].label(), cfg.flops(bodies[i]), stats[i], gflops[i],
          100 * gflops[i] / gflops[Body.RAW_SQUARE.ordinal()], 100 * gflops[i] / gflops[Body.RAW_EXPERT.ordinal()]));
    }
    List<ShapeResult> perShape = new ArrayList<>();
    double shapeFlops = cfg.experts() * 2.0 * cfg.rowsPerExpert() * cfg.dModel() * (double) cfg.hidden();
    for (int i = 0; i < shapes.length; i++) {
      BenchTimer.Stats st = stats[bodies.length + i];
      double g = st.gflops(shapeFlops);
      perShape.add(new ShapeResult(shapes[i], shapes[i].describe(cfg), st, g,
          100 * g / gflops[Body.RAW_SQUARE.ordinal()]));
    }
    return new Report(cfg, out, perShape);
  }

  /** {@code experts} raw gemms of one shape class into preallocated outputs. */
  private static Runnable rawShape(ExpertGemmShape shape, Config cfg) {
    long[] s = shape.sizes(cfg);
    List<Gemm> gemms = new ArrayList<>();
    for (int e = 0; e < cfg.experts(); e++) {
      INDArray a = Nd4j.randn(DataType.FLOAT, s[0], s[1]);
      INDArray b = Nd4j.randn(DataType.FLOAT, s[2], s[3]);
      long m = shape.transA() ? s[1] : s[0];
      long n = shape.transB() ? s[2] : s[3];
      gemms.add(new Gemm(a, b, Nd4j.create(DataType.FLOAT, m, n), shape.transA(), shape.transB(), 0));
    }
    return () -> gemms.forEach(Gemm::run);
  }

  /** The timed work of one body, operands made once up front (outside any workspace). */
  static Runnable body(Body b, Config cfg) {
    Nd4j.getRandom().setSeed(1234 + b.ordinal());
    return switch (b) {
      case RAW_SQUARE -> rawSquare(cfg.squareN());
      case RAW_EXPERT -> rawExpert(cfg);
      case ENGINE_GEMMS -> engineGemms(cfg);
      case ENGINE_SWIGLU -> engineSwiGlu(cfg);
    };
  }

  private static Runnable rawSquare(int n) {
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray bm = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.createUninitialized(DataType.FLOAT, n, n);
    return () -> Nd4j.gemm(a, bm, c, false, false, 1.0, 0.0);
  }

  /** One preallocated product c = op(a) op(b) + beta c. */
  private record Gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double beta) {
    void run() {
      Nd4j.gemm(a, b, c, transA, transB, 1.0, beta);
    }
  }

  /** Per expert the 9 gemms {@link MatOps#linearT} does for SwiGLU fwd+bwd, same shapes and flags. */
  private static Runnable rawExpert(Config cfg) {
    int n = cfg.rowsPerExpert();
    int d = cfg.dModel();
    int h = cfg.hidden();
    List<Gemm> gemms = new ArrayList<>();
    for (int e = 0; e < cfg.experts(); e++) {
      INDArray x = Nd4j.randn(DataType.FLOAT, n, d);
      INDArray w1 = Nd4j.randn(DataType.FLOAT, h, d);
      INDArray w3 = Nd4j.randn(DataType.FLOAT, h, d);
      INDArray w2 = Nd4j.randn(DataType.FLOAT, d, h);
      INDArray hid = Nd4j.randn(DataType.FLOAT, n, h);
      INDArray dy = Nd4j.randn(DataType.FLOAT, n, d);
      INDArray dGate = Nd4j.randn(DataType.FLOAT, n, h);
      INDArray dUp = Nd4j.randn(DataType.FLOAT, n, h);
      gemms.add(new Gemm(x, w1, Nd4j.create(DataType.FLOAT, n, h), false, true, 0)); // gate = x W1^T
      gemms.add(new Gemm(x, w3, Nd4j.create(DataType.FLOAT, n, h), false, true, 0)); // up = x W3^T
      gemms.add(new Gemm(hid, w2, Nd4j.create(DataType.FLOAT, n, d), false, true, 0)); // y = H W2^T
      gemms.add(new Gemm(dy, hid, Nd4j.create(DataType.FLOAT, d, h), true, false, 1)); // dW2 += dy^T H
      gemms.add(new Gemm(dy, w2, Nd4j.create(DataType.FLOAT, n, h), false, false, 0)); // dH = dy W2
      INDArray dx = Nd4j.create(DataType.FLOAT, n, d);
      gemms.add(new Gemm(dGate, x, Nd4j.create(DataType.FLOAT, h, d), true, false, 1)); // dW1 += dG^T x
      gemms.add(new Gemm(dGate, w1, dx, false, false, 0)); // dX = dG W1
      gemms.add(new Gemm(dUp, x, Nd4j.create(DataType.FLOAT, h, d), true, false, 1)); // dW3 += dU^T x
      gemms.add(new Gemm(dUp, w3, dx, false, false, 1)); // dX += dU W3
    }
    return () -> gemms.forEach(Gemm::run);
  }

  /** Per expert: gate/up = linearT(x, W1/W3), y = linearT(H, W2) with H a leaf; backward from each. */
  private static Runnable engineGemms(Config cfg) {
    int n = cfg.rowsPerExpert();
    int d = cfg.dModel();
    int h = cfg.hidden();
    List<Parameter[]> experts = new ArrayList<>(); // x, w1, w3, w2, hid
    List<INDArray[]> seeds = new ArrayList<>(); // dGate, dUp, dy
    for (int e = 0; e < cfg.experts(); e++) {
      experts.add(new Parameter[] {leaf("x" + e, n, d), leaf("w1." + e, h, d), leaf("w3." + e, h, d),
          leaf("w2." + e, d, h), leaf("hid" + e, n, h)});
      seeds.add(new INDArray[] {Nd4j.randn(DataType.FLOAT, n, h), Nd4j.randn(DataType.FLOAT, n, h),
          Nd4j.randn(DataType.FLOAT, n, d)});
    }
    return () -> {
      try (StepArena arena = StepArena.open("bench-expert-gemms")) {
        for (int e = 0; e < experts.size(); e++) {
          Parameter[] p = experts.get(e);
          INDArray[] s = seeds.get(e);
          Tensor gate = MatOps.linearT(p[0], p[1]); // [n, h]
          Tensor up = MatOps.linearT(p[0], p[2]); // [n, h]
          Tensor y = MatOps.linearT(p[4], p[3]); // [n, d]
          gate.backward(s[0]);
          up.backward(s[1]);
          y.backward(s[2]);
        }
      }
      experts.forEach(ps -> {
        for (Parameter p : ps) {
          p.zeroGrad();
        }
      });
    };
  }

  /** The model's SwiGlu experts (fp32 policy) on their own [n, d] input blocks, forward + backward. */
  private static Runnable engineSwiGlu(Config cfg) {
    int n = cfg.rowsPerExpert();
    InitScheme init = new InitScheme(0.02, 4, DataType.FLOAT, 1234);
    PrecisionPolicy fp32 = p -> p;
    List<SwiGlu> experts = new ArrayList<>();
    List<Parameter> inputs = new ArrayList<>();
    List<INDArray> seeds = new ArrayList<>();
    List<Parameter> params = new ArrayList<>();
    for (int e = 0; e < cfg.experts(); e++) {
      SwiGlu s = new SwiGlu(init.scoped("experts." + e + "."), ParamRole.ROUTED_EXPERT, cfg.dModel(), cfg.hidden(),
          fp32);
      experts.add(s);
      params.addAll(s.parameters());
      Parameter x = leaf("x" + e, n, cfg.dModel()); // a leaf so dX is computed, as for a routed block
      inputs.add(x);
      params.add(x);
      seeds.add(Nd4j.randn(DataType.FLOAT, n, cfg.dModel()));
    }
    return () -> {
      try (StepArena arena = StepArena.open("bench-expert-swiglu")) {
        for (int e = 0; e < experts.size(); e++) {
          experts.get(e).forward(inputs.get(e)).backward(seeds.get(e)); // [n, d]
        }
      }
      params.forEach(Parameter::zeroGrad);
    };
  }

  private static Parameter leaf(String name, long rows, long cols) {
    return new Parameter(name, ParamRole.OTHER, Nd4j.randn(DataType.FLOAT, rows, cols));
  }

  /** A fixed-width table, one row per body, then one per raw shape class. */
  public static String table(Report report) {
    Config cfg = report.config();
    List<Result> results = report.results();
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "routed-expert gemms, FLOAT: %d tokens, top-%d of %d experts -> %d rows/expert, d=%d, h=%d; "
            + "square n=%d; median of %d after %d warm-up; threads %s, OMP_NUM_THREADS=%s%n",
        cfg.tokens(), cfg.topK(), cfg.experts(), cfg.rowsPerExpert(), cfg.dModel(), cfg.hidden(), cfg.squareN(),
        cfg.repeats(), cfg.warmup(), Nd4jThreads.describe(), System.getenv("OMP_NUM_THREADS")));
    sb.append(String.format(Locale.ROOT, "%-32s | %10s | %9s | %10s | %11s | %13s%n", "body", "median ms", "GFLOP/s",
        "% raw n^3", "% raw shape", "GFLOP/s @min"));
    for (Result r : results) {
      sb.append(String.format(Locale.ROOT, "%-32s | %10.2f | %9.1f | %9.0f%% | %10.0f%% | %13.1f%n", r.label(),
          r.stats().medianMs(), r.gflops(), r.pctOfRawSquare(), r.pctOfRawExpert(),
          r.flopsPerRun() / (r.stats().minMs() * 1e-3) / 1e9));
    }
    sb.append(String.format(Locale.ROOT, "raw gemm per shape class (%d per run, one per expert):%n", cfg.experts()));
    for (ShapeResult r : report.shapes()) {
      sb.append(String.format(Locale.ROOT, "  %-46s | %8.2f ms | %6.1f GFLOP/s | %4.0f%% raw n^3%n", r.gemm(),
          r.stats().medianMs(), r.gflops(), r.pctOfRawSquare()));
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    Config d = Config.defaults();
    int repeats = d.repeats();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--repeats") && i + 1 < args.length) {
        repeats = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException("bench: unknown option " + args[i] + " (known: --repeats N)");
      }
    }
    Config cfg = new Config(d.tokens(), d.topK(), d.experts(), d.dModel(), d.hidden(), d.squareN(), d.warmup(),
        repeats);
    System.out.print(table(run(cfg)));
  }
}
