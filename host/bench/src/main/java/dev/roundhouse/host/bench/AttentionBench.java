package dev.roundhouse.host.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.model.InitScheme;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.AttentionOps;
import dev.roundhouse.tensor.BandedAttention;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention scaling benchmark: forward + backward time of one attention block versus sequence length
 * for the variants of the attention plugin (mha, swa W=128, nsa, kda by default), in FLOAT, one
 * sequence per batch. Each point is the median of {@code repeats} timed runs after one warm-up run,
 * each inside its own {@link StepArena} like a training step. Prints a table of milliseconds and,
 * per variant, the growth factor from the shortest to the longest length (linear: x = length ratio,
 * quadratic: x = ratio squared). {@link #runCore} times the attention op alone (no projections),
 * where the quadratic mha core and the linear sliding-window core separate clearly.
 *
 * <p>Run: {@code java -cp <host classpath> dev.roundhouse.host.bench.AttentionBench [--plugins DIR]
 * [--lengths 256,512,1024,2048] [--dim 256] [--heads 4] [--batch 1] [--repeats 3] [--no-core]}.
 */
public final class AttentionBench {
  private AttentionBench() {}

  /** Window of the swa column of {@link #runCore} (the swa(W=128) module variant's window). */
  public static final int CORE_WINDOW = 128;

  /** Untimed runs per length before the core timings (the first length also warms up the JIT). */
  static final int CORE_WARMUP = 3;

  /** What to measure. {@code variants} maps a column label to the attention JSON config. */
  public record Options(Map<String, String> variants, int[] lengths, int dModel, int nHeads, int batch, int repeats) {
    public static Options defaults() {
      Map<String, String> v = new LinkedHashMap<>();
      v.put("mha", "{\"type\":\"mha\"}");
      v.put("swa(W=128)", "{\"type\":\"swa\",\"window\":128}");
      v.put("nsa", "{\"type\":\"nsa\"}");
      v.put("kda", "{\"type\":\"kda\"}");
      return new Options(v, new int[] {256, 512, 1024, 2048}, 256, 4, 1, 3);
    }
  }

  /** One measured point: median milliseconds of forward + backward. */
  public record Point(String variant, int seqLen, double millis) {}

  /** Measures every variant at every length and prints the table to {@code out}. */
  public static List<Point> run(PluginRegistry registry, Options o, PrintStream out) {
    ObjectMapper json = new ObjectMapper();
    PrecisionPolicy fp32 = p -> p;
    List<Point> points = new ArrayList<>();
    out.printf(Locale.ROOT, "attention forward+backward, FLOAT, B=%d, d=%d, H=%d, median of %d (ms)%n",
        o.batch(), o.dModel(), o.nHeads(), o.repeats());
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%6s", "T"));
    o.variants().keySet().forEach(k -> header.append(String.format(Locale.ROOT, " %12s", k)));
    out.println(header);
    for (int t : o.lengths()) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%6d", t));
      for (Map.Entry<String, String> v : o.variants().entrySet()) {
        JsonNode cfg;
        try {
          cfg = json.readTree(v.getValue());
        } catch (java.io.IOException e) {
          throw new IllegalArgumentException("bench: variant " + v.getKey() + " config is not JSON: " + v.getValue(), e);
        }
        InitScheme init = new InitScheme(0.02, 1, DataType.FLOAT, 1234);
        AttentionContext ctx = new AttentionContext(o.dModel(), o.nHeads(), t, 0, 1, 10000.0,
            init.scoped("bench."), fp32);
        Attention a = (Attention) registry.build(Kind.ATTENTION, cfg, ctx, "bench." + v.getKey());
        double ms = time(a, o.batch(), t, o.dModel(), o.repeats());
        points.add(new Point(v.getKey(), t, ms));
        line.append(String.format(Locale.ROOT, " %12.1f", ms));
      }
      out.println(line);
    }
    printGrowth(points, o.variants().keySet(), o.lengths(), out);
    return points;
  }

  /**
   * The attention op alone, without projections, rope or reshapes: {@link AttentionOps#causalAttention}
   * (mha, quadratic in T) and {@link BandedAttention#attend} with {@code window} (swa, linear in T) on
   * random q, k, v of [B, H, T, d/H], forward + backward from their sum, FLOAT. At each length the two
   * run interleaved ({@link BenchTimer#measureInterleaved}), 3 warm-ups, median of {@code repeats},
   * each run in its own {@link StepArena}. Prints a table and the growth factors like {@link #run}.
   */
  public static List<Point> runCore(Options o, int window, PrintStream out) {
    String mha = "mha core";
    String swa = "swa core(W=" + window + ")";
    int hd = o.dModel() / o.nHeads();
    double scale = 1.0 / Math.sqrt(hd);
    List<Point> points = new ArrayList<>();
    out.printf(Locale.ROOT, "attention op only (no projections), fwd+bwd, FLOAT, B=%d, H=%d, hd=%d, median of %d (ms)%n",
        o.batch(), o.nHeads(), hd, o.repeats());
    out.println(String.format(Locale.ROOT, "%6s %16s %16s", "T", mha, swa));
    for (int t : o.lengths()) {
      Parameter[] qkv = new Parameter[3];
      for (int i = 0; i < 3; i++) {
        qkv[i] = new Parameter("qkv".substring(i, i + 1), dev.roundhouse.tensor.ParamRole.OTHER,
            Nd4j.randn(DataType.FLOAT, o.batch(), o.nHeads(), t, hd)); // [B, H, T, hd]
      }
      Runnable full = coreBody(qkv, q -> AttentionOps.causalAttention(q[0], q[1], q[2], scale, 0, null));
      Runnable banded = coreBody(qkv, q -> BandedAttention.attend(q[0], q[1], q[2], scale, window, 0.0));
      BenchTimer.Stats[] s = BenchTimer.measureInterleaved(CORE_WARMUP, o.repeats(), full, banded);
      points.add(new Point(mha, t, s[0].medianMs()));
      points.add(new Point(swa, t, s[1].medianMs()));
      out.println(String.format(Locale.ROOT, "%6d %16.1f %16.1f", t, s[0].medianMs(), s[1].medianMs()));
    }
    printGrowth(points, List.of(mha, swa), o.lengths(), out);
    return points;
  }

  private static Runnable coreBody(Parameter[] qkv, java.util.function.Function<Parameter[], Tensor> op) {
    return () -> {
      try (StepArena arena = StepArena.open("attention-core-bench")) {
        Reductions.sumAll(op.apply(qkv)).backward(); // [B, H, T, hd] -> scalar
      }
      for (Parameter p : qkv) {
        p.zeroGrad();
      }
    };
  }

  /** Time at the longest length over time at the shortest, for {@code variant}. */
  public static double growth(List<Point> points, String variant, int[] lengths) {
    return find(points, variant, lengths[lengths.length - 1]) / find(points, variant, lengths[0]);
  }

  private static void printGrowth(List<Point> points, java.util.Collection<String> variants, int[] lengths,
      PrintStream out) {
    if (lengths.length > 1) {
      int first = lengths[0];
      int last = lengths[lengths.length - 1];
      StringBuilder growth = new StringBuilder(String.format(Locale.ROOT, "growth T=%d -> %d (length x%.0f):", first,
          last, (double) last / first));
      for (String v : variants) {
        growth.append(String.format(Locale.ROOT, " %s x%.1f", v, growth(points, v, lengths)));
      }
      out.println(growth);
    }
    if (lengths.length > 2) { // the longest step, where fixed per-call costs matter least
      int[] lastTwo = {lengths[lengths.length - 2], lengths[lengths.length - 1]};
      StringBuilder step = new StringBuilder(String.format(Locale.ROOT, "growth T=%d -> %d (length x%.0f):",
          lastTwo[0], lastTwo[1], (double) lastTwo[1] / lastTwo[0]));
      for (String v : variants) {
        step.append(String.format(Locale.ROOT, " %s x%.1f", v, growth(points, v, lastTwo)));
      }
      out.println(step);
    }
  }

  private static double find(List<Point> points, String variant, int t) {
    return points.stream().filter(p -> p.variant().equals(variant) && p.seqLen() == t).findFirst().orElseThrow()
        .millis();
  }

  /** Median ms of forward + backward (after one warm-up), each run in its own step arena. */
  static double time(Attention a, int batch, int t, int d, int repeats) {
    INDArray x = Nd4j.randn(DataType.FLOAT, batch, t, d);
    double[] ms = new double[repeats];
    for (int r = -1; r < repeats; r++) {
      long start = System.nanoTime();
      try (StepArena arena = StepArena.open("attention-bench")) {
        Tensor out = a.forward(Tensor.constant(x));
        Reductions.meanAll(out).backward();
      }
      long end = System.nanoTime();
      a.parameters().forEach(Parameter::zeroGrad);
      if (r >= 0) {
        ms[r] = (end - start) / 1e6;
      }
    }
    Arrays.sort(ms);
    return ms[repeats / 2];
  }

  public static void main(String[] args) {
    Options d = Options.defaults();
    Path plugins = null;
    int[] lengths = d.lengths();
    int dim = d.dModel();
    int heads = d.nHeads();
    int batch = d.batch();
    int repeats = d.repeats();
    boolean core = true;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--plugins" -> plugins = Path.of(require(args[i], value));
        case "--lengths" -> lengths = Arrays.stream(require(args[i], value).split(",")).map(String::trim)
            .mapToInt(Integer::parseInt).toArray();
        case "--dim" -> dim = Integer.parseInt(require(args[i], value));
        case "--heads" -> heads = Integer.parseInt(require(args[i], value));
        case "--batch" -> batch = Integer.parseInt(require(args[i], value));
        case "--repeats" -> repeats = Integer.parseInt(require(args[i], value));
        case "--no-core" -> {
          core = false;
          i--;
        }
        default -> throw new IllegalArgumentException("bench: unknown option " + args[i]
            + " (known: --plugins DIR --lengths 256,512 --dim N --heads N --batch N --repeats N --no-core)");
      }
      i++;
    }
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    try (PluginRegistry reg = plugins == null ? PluginRegistry.openDefault() : new PluginRegistry(plugins)) {
      reg.problems().forEach(p -> System.err.println("plugins: " + p));
      Options o = new Options(d.variants(), lengths, dim, heads, batch, Math.max(1, repeats));
      run(reg, o, System.out);
      if (core) {
        System.out.println();
        runCore(o, CORE_WINDOW, System.out);
      }
    }
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException("bench: " + option + " needs a value");
    }
    return value;
  }
}
