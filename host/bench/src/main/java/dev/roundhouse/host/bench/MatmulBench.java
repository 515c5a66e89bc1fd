package dev.roundhouse.host.bench;

import dev.roundhouse.tensor.ParamRole;
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
 * Square matmul throughput, engine vs raw BLAS, in GFLOP/s (2 n^3 flops per product):
 * <ul>
 *   <li>{@link Variant#RAW_GEMM}: {@code Nd4j.gemm(a, b, out)} into a preallocated output;</li>
 *   <li>{@link Variant#ALLOC_MMUL}: {@code a.mmul(b)}, allocating its output outside any workspace;</li>
 *   <li>{@link Variant#ENGINE_FORWARD}: {@link MatOps#matmul} forward, one {@link StepArena} per iteration;</li>
 *   <li>{@link Variant#ENGINE_FORWARD_BACKWARD}: forward and backward (3 gemms, 6 n^3 flops) of
 *       {@code a @ b} with both operands {@link Parameter}s, one StepArena per iteration.</li>
 * </ul>
 * Each variant warms up, then reports the median of repeated timings ({@link BenchTimer}); the
 * variants of one size are interleaved so load from other processes hits them alike.
 * Run: {@code java -cp <host/core classpath> dev.roundhouse.host.bench.MatmulBench [--threads N] [n ...]}.
 */
public final class MatmulBench {
  private MatmulBench() {}

  /** What is timed. */
  public enum Variant {
    RAW_GEMM("raw Nd4j.gemm, preallocated out", 1),
    ALLOC_MMUL("a.mmul(b), allocating", 1),
    ENGINE_FORWARD("engine MatOps.matmul fwd", 1),
    ENGINE_FORWARD_BACKWARD("engine fwd+bwd (3 gemms)", 3);

    private final String label;
    private final int gemms;

    Variant(String label, int gemms) {
      this.label = label;
      this.gemms = gemms;
    }

    public String label() {
      return label;
    }

    /** Products per timed run: the flop count is {@code gemms * 2 n^3}. */
    public int gemms() {
      return gemms;
    }
  }

  /** One measured cell: size, variant, throughput and the raw timing. */
  public record Result(int n, Variant variant, String dtype, int blasThreads, double gflops,
                       BenchTimer.Stats stats) {}

  /** Sizes, data type and how long to measure. {@code scale} multiplies the iteration counts. */
  public record Config(int[] sizes, DataType dtype, int warmup, double scale) {
    public Config {
      if (sizes == null || sizes.length == 0) {
        throw new IllegalArgumentException("sizes must not be empty");
      }
      for (int n : sizes) {
        if (n < 1) {
          throw new IllegalArgumentException("sizes must be positive, got " + n);
        }
      }
      if (warmup < 0 || scale <= 0) {
        throw new IllegalArgumentException("warmup must be >= 0 and scale > 0");
      }
    }

    /** n = 128, 256, 512, 1024 in FLOAT (the training dtype), at least 10 warm-up runs. */
    public static Config defaults() {
      return new Config(new int[] {128, 256, 512, 1024}, DataType.FLOAT, 10, 1.0);
    }

    /**
     * Warm-up runs for size n: {@code warmup}, or a quarter of the timed runs when that is more.
     * The engine variants run Java code (arena, autograd) that needs the JIT: with 3 warm-up runs
     * engine/raw read ~80% at n=256 where it is ~93% once compiled.
     */
    int warmup(int n) {
      return Math.max(warmup, iterations(n) / 4);
    }

    /** Timed runs for size n: ~4 GFLOP of work per variant, between 7 and 200 runs. */
    int iterations(int n) {
      double perRun = 2.0 * n * n * n;
      int it = (int) Math.round(scale * 4e9 / perRun);
      return Math.max(Math.max(1, (int) Math.round(7 * scale)), Math.min(200, it));
    }
  }

  /**
   * Measures every size; at one size the variants run interleaved (see {@link
   * BenchTimer#measureInterleaved}) so they see the same machine load. Results are ordered by
   * size, then variant.
   */
  public static List<Result> run(Config cfg) {
    List<Result> out = new ArrayList<>();
    int threads = Nd4jThreads.blasThreads();
    Variant[] variants = Variant.values();
    for (int n : cfg.sizes()) {
      Runnable[] bodies = new Runnable[variants.length];
      for (int i = 0; i < variants.length; i++) {
        bodies[i] = body(variants[i], n, cfg.dtype());
      }
      BenchTimer.Stats[] stats = BenchTimer.measureInterleaved(cfg.warmup(n), cfg.iterations(n), bodies);
      for (int i = 0; i < variants.length; i++) {
        double flops = variants[i].gemms() * 2.0 * n * n * n;
        out.add(new Result(n, variants[i], cfg.dtype().name(), threads, stats[i].gflops(flops), stats[i]));
      }
    }
    return out;
  }

  /** The timed work of one variant at size n, with its operands made once up front. */
  static Runnable body(Variant v, int n, DataType dtype) {
    INDArray a = Nd4j.rand(dtype, n, n);
    INDArray b = Nd4j.rand(dtype, n, n);
    switch (v) {
      case RAW_GEMM: {
        INDArray c = Nd4j.createUninitialized(dtype, n, n);
        return () -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      }
      case ALLOC_MMUL:
        return () -> a.mmul(b);
      case ENGINE_FORWARD: {
        Tensor ta = Tensor.constant(a);
        Tensor tb = Tensor.constant(b);
        return () -> {
          try (StepArena arena = StepArena.open("bench-matmul")) {
            MatOps.matmul(ta, tb);
          }
        };
      }
      case ENGINE_FORWARD_BACKWARD: {
        Parameter pa = new Parameter("a", ParamRole.OTHER, a);
        Parameter pb = new Parameter("b", ParamRole.OTHER, b);
        INDArray seed = Nd4j.ones(dtype, n, n);
        return () -> {
          try (StepArena arena = StepArena.open("bench-matmul")) {
            MatOps.matmul(pa, pb).backward(seed);
          }
        };
      }
      default:
        throw new IllegalArgumentException("unknown variant " + v);
    }
  }

  /** A fixed-width table: one row per size, GFLOP/s per variant, engine as % of raw gemm. */
  public static String table(List<Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%6s", "n"));
    for (Variant v : Variant.values()) {
      sb.append(String.format(Locale.ROOT, " | %26s", v.label()));
    }
    sb.append(String.format(Locale.ROOT, " | %8s | %8s%n", "fwd/raw", "f+b/raw"));
    for (int n : sizes(results)) {
      sb.append(String.format(Locale.ROOT, "%6d", n));
      for (Variant v : Variant.values()) {
        Result r = find(results, n, v);
        sb.append(r == null ? String.format(Locale.ROOT, " | %26s", "-")
            : String.format(Locale.ROOT, " | %8.1f GF/s (%8.3f ms)", r.gflops(), r.stats().medianMs()));
      }
      sb.append(String.format(Locale.ROOT, " | %7.0f%% | %7.0f%%%n",
          pct(results, n, Variant.ENGINE_FORWARD), pct(results, n, Variant.ENGINE_FORWARD_BACKWARD)));
    }
    return sb.toString();
  }

  private static double pct(List<Result> results, int n, Variant v) {
    Result raw = find(results, n, Variant.RAW_GEMM);
    Result r = find(results, n, v);
    return raw == null || r == null ? Double.NaN : 100.0 * r.gflops() / raw.gflops();
  }

  private static Result find(List<Result> results, int n, Variant v) {
    for (Result r : results) {
      if (r.n() == n && r.variant() == v) {
        return r;
      }
    }
    return null;
  }

  private static int[] sizes(List<Result> results) {
    return results.stream().mapToInt(Result::n).distinct().toArray();
  }

  /** {@code [--threads N] [n ...]}: prints the table for the given (or default) sizes. */
  public static void main(String[] args) {
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--threads")) {
        Nd4jThreads.set(Integer.parseInt(args[++i]));
      } else {
        sizes.add(Integer.parseInt(args[i]));
      }
    }
    Config d = Config.defaults();
    Config cfg = sizes.isEmpty() ? d
        : new Config(sizes.stream().mapToInt(Integer::intValue).toArray(), d.dtype(), d.warmup(), d.scale());
    System.out.println("matmul " + cfg.dtype() + ", threads: " + Nd4jThreads.describe()
        + ", OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
    System.out.print(table(run(cfg)));
  }
}
