package dev.roundhouse.host.bench;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.Bf16;
import dev.roundhouse.tensor.DnnlMatmul;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.StepArena;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code roundhouse bench precision}: what each precision costs on this machine.
 *
 * <p>Part 1, GEMM rate per dtype at the tiny-moe model's product shapes (x [m, k] times a weight
 * stored [n, k], as {@code MatOps.linearT}): "fp32 nd4j" through {@code Nd4j.gemm}; "fp32" and
 * "bf16" (bf16 operands, fp32 result) through oneDNN called directly ({@code DnnlMatmul}, what
 * training runs); "bf16 nd4j" through ND4J's declarable MatMul op (bf16 result, the path before);
 * "fp16" through oneDNN where it has an f16 kernel, else ND4J's op at the smallest shape only
 * (libnd4j's generic loop, ~0.1 GFLOP/s); and "bf16 e2e" as the bf16-mixed policy runs a product
 * (FLOAT activation cast to bf16, product, in a step arena as in training). Median of repeated runs after warm-up, one thread,
 * timed by the thread's CPU clock.
 *
 * <p>Part 2, the full training step of configs/tiny-moe.json per precision policy, the policies
 * interleaved round by round in this one process (same build, same shards, same data) so load
 * from other processes hits them alike; median step time per policy over all rounds and its
 * tokens/s relative to fp32, by wall time and by process CPU time (the steadier of the two on a
 * loaded machine: it does not count time other processes hold the cores).
 *
 * <p>Part 3, in the same rounds: the PyTorch peer ({@link PrecisionPeer}) on the same resolved
 * config and step counts, in fp32 and in bf16 autocast, at 1 and 2 threads; its tokens/s beside
 * Roundhouse's, and Roundhouse fp32 / bf16-mixed relative to the peer's fastest setting of each.
 */
public final class PrecisionBench {
  /** The precision policies timed (each round times {@link #ROWS}, which adds an fp32 variant). */
  public static final List<String> POLICIES = List.of("fp32", "bf16-mixed", "fp8", "nvfp4", "fp16-dynamic-scale");

  /** The row label of fp32 without the grouped routed-expert products. */
  static final String FP32_PER_EXPERT = "fp32 per-expert";

  /**
   * The rows timed in each round: the policies, plus fp32 with the routed experts run as one SwiGLU
   * per expert block instead of grouped products (the form before the grouped products; same values).
   */
  static final List<String> ROWS = List.of("fp32", FP32_PER_EXPERT, "bf16-mixed", "fp8", "nvfp4", "fp16-dynamic-scale");

  /** Steps per policy in the untimed first round of {@link #steps}. */
  static final int UNTIMED_STEPS = 10;

  private PrecisionBench() {}

  /** A product shape: rows m, inner k, outputs n, and which layer of the model has it. */
  record Shape(String what, int m, int k, int n) {}

  /** The products of one tiny-moe shard step (2048 tokens per shard; 16 experts top-2: ~256 rows each). */
  static List<Shape> modelShapes() {
    return List.of(new Shape("attention q/k/v/o, shared expert", 2048, 256, 256),
        new Shape("dense FFN up", 2048, 256, 768), new Shape("dense FFN down", 2048, 768, 256),
        new Shape("routed expert up", 256, 256, 128), new Shape("routed expert down", 256, 128, 256),
        new Shape("small (fp16 timed here only)", 64, 128, 64),
        new Shape("square 1024", 1024, 1024, 1024));
  }

  /** GFLOP/s per dtype for each shape: keys shape label -> dtype -> GFLOP/s. */
  public static Map<String, Map<String, Double>> gemmRates(PrintStream out) {
    Map<String, Map<String, Double>> all = new LinkedHashMap<>();
    out.printf(Locale.ROOT, "GEMM GFLOP/s, x[m,k] @ w[n,k]^T, one thread (bf16 products: %s)%n", Bf16.describe());
    out.printf(Locale.ROOT, "oneDNN called directly: %s%n", DnnlMatmul.describe());
    out.printf(Locale.ROOT, "%-36s %18s %9s %8s %9s %8s %8s %14s%n", "shape", "m x k x n", "fp32 nd4j", "fp32",
        "bf16 nd4j", "bf16", "fp16", "bf16 e2e");
    for (Shape s : modelShapes()) {
      INDArray x = Nd4j.rand(DataType.FLOAT, s.m, s.k);
      INDArray w = Nd4j.rand(DataType.FLOAT, s.n, s.k);
      double flop = 2.0 * s.m * s.k * s.n;
      Map<String, Double> r = new LinkedHashMap<>();
      INDArray o32 = Nd4j.createUninitialized(DataType.FLOAT, s.m, s.n);
      r.put("fp32_nd4j", rate(() -> Nd4j.gemm(x, w, o32, false, true, 1.0, 0.0), flop));
      r.put("fp32", rate(() -> {
        if (!DnnlMatmul.gemm(x, w, o32, false, true, false)) {
          Nd4j.gemm(x, w, o32, false, true, 1.0, 0.0);
        }
      }, flop));
      INDArray xb = Bf16.convert(x, DataType.BFLOAT16);
      INDArray wb = Bf16.convert(w, DataType.BFLOAT16); // weights are cast once per pass, not per product
      INDArray ob = Nd4j.createUninitialized(DataType.BFLOAT16, s.m, s.n);
      r.put("bf16_nd4j_op", rate(() -> Nd4j.matmul(xb, wb, ob, false, true, false), flop));
      Double bf16 = null;
      if (DnnlMatmul.gemm(xb, wb, o32, false, true, false)) {
        bf16 = rate(() -> DnnlMatmul.gemm(xb, wb, o32, false, true, false), flop);
      }
      r.put("bf16", bf16);
      INDArray xh = Bf16.convert(x, DataType.HALF);
      INDArray wh = Bf16.convert(w, DataType.HALF);
      INDArray oh = Nd4j.createUninitialized(DataType.HALF, s.m, s.n);
      Double fp16 = null; // libnd4j's generic loop (~0.1 GFLOP/s) is timed at the smallest shape only
      if (DnnlMatmul.gemm(xh, wh, oh, false, true, false)) {
        fp16 = rate(() -> DnnlMatmul.gemm(xh, wh, oh, false, true, false), flop);
      } else if (flop <= 2.0e7) {
        fp16 = rate(() -> Nd4j.matmul(xh, wh, oh, false, true, false), flop);
      }
      r.put("fp16", fp16);
      r.put("bf16_end_to_end", rate(() -> {
        try (StepArena a = StepArena.open("bench-precision-gemm")) {
          MatOps.gemm(x, wb, false, true);
        }
      }, flop));
      out.printf(Locale.ROOT, "%-36s %18s %9.1f %8.1f %9.1f %8s %8s %14.1f%n", s.what, s.m + "x" + s.k + "x" + s.n,
          r.get("fp32_nd4j"), r.get("fp32"), r.get("bf16_nd4j_op"), fmt(r.get("bf16")), fmt(r.get("fp16")),
          r.get("bf16_end_to_end"));
      all.put(s.what + " " + s.m + "x" + s.k + "x" + s.n, r);
    }
    out.println();
    return all;
  }

  private static String fmt(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
  }

  /**
   * Median GFLOP/s of timed runs (at least 5 and ~0.3 s of CPU) after 3 warm-up runs, timed by the
   * calling thread's CPU clock: every product here runs on the calling thread (one OpenMP thread),
   * and the thread clock does not count time other processes hold the core.
   */
  private static double rate(Runnable r, double flop) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 3; i++) {
      r.run();
    }
    List<Double> ms = new ArrayList<>();
    long start = threads.getCurrentThreadCpuTime();
    while (ms.size() < 5 || (threads.getCurrentThreadCpuTime() - start < 300_000_000L && ms.size() < 200)) {
      long t0 = threads.getCurrentThreadCpuTime();
      r.run();
      ms.add((threads.getCurrentThreadCpuTime() - t0) / 1e6);
    }
    double median = ms.stream().sorted().toList().get(ms.size() / 2);
    return flop / (median / 1000) / 1e9;
  }

  /**
   * The tiny-moe step per policy, {@code rounds} interleaved rounds of {@code warmup + steps}
   * steps each; returns policy -> {median_wall_ms, tokens_per_s, vs_fp32, wall_ms (all rounds)}.
   * One untimed round of every policy ({@value #UNTIMED_STEPS} steps each) runs first: the process's
   * first steps pay the JIT, oneDNN's kernel compiles per shape and its memory objects per routed-expert
   * row count (cached per shard thread, which lives as long as the process); without it the first
   * timed fp32 step took 1.6-1.9 s and step times still fell by ~20% from the first round to the third.
   */
  public static Map<String, Object> steps(PluginRegistry registry, List<String> sets, int rounds, int warmup, int steps,
                                          PrintStream out) {
    for (String policy : ROWS) {
      List<String> all = new ArrayList<>(StepBench.timingOverrides(UNTIMED_STEPS));
      all.addAll(sets);
      all.add("precision={\"type\":\"" + (policy.equals(FP32_PER_EXPERT) ? "fp32" : policy) + "\"}");
      if (policy.equals(FP32_PER_EXPERT)) {
        perExpert(all, registry, UNTIMED_STEPS - 1, 1);
      } else {
        StepBench.run(ConfigLoader.load(null, all), registry, UNTIMED_STEPS - 1, 1);
      }
    }
    Map<String, List<Double>> wall = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    Map<String, List<Double>> peer = new LinkedHashMap<>();
    Map<String, String> peerNotes = new LinkedHashMap<>();
    long tokens = 0;
    for (int round = 0; round < rounds; round++) {
      for (String policy : ROWS) {
        List<String> all = new ArrayList<>(StepBench.timingOverrides(warmup + steps));
        all.addAll(sets);
        all.add("precision={\"type\":\"" + (policy.equals(FP32_PER_EXPERT) ? "fp32" : policy) + "\"}");
        StepBench.Result r = policy.equals(FP32_PER_EXPERT) ? perExpert(all, registry, warmup, steps)
            : StepBench.run(ConfigLoader.load(null, all), registry, warmup, steps);
        tokens = r.tokensPerStep();
        for (double v : r.wallMs()) {
          wall.computeIfAbsent(policy, k -> new ArrayList<>()).add(v);
        }
        for (double v : r.cpuMs()) {
          cpu.computeIfAbsent(policy, k -> new ArrayList<>()).add(v);
        }
      }
      List<String> peerSets = new ArrayList<>(StepBench.timingOverrides(warmup + steps));
      peerSets.addAll(sets);
      for (String mode : PEER_MODES) {
        for (int threads : PEER_THREADS) {
          PrecisionPeer.Result r = PrecisionPeer.run(ConfigLoader.load(null, peerSets), mode.equals("bf16 autocast"),
              threads, warmup, steps);
          String key = "pytorch " + mode + ", " + threads + " thread" + (threads > 1 ? "s" : "");
          if (r.skipped() != null) {
            peerNotes.put(key, "skipped: " + r.skipped());
          } else {
            peer.computeIfAbsent(key, k -> new ArrayList<>()).add(r.medianMs());
            peerNotes.put(key, r.blas());
          }
        }
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    double fp32 = median(wall.get("fp32"));
    double fp32Cpu = median(cpu.get("fp32"));
    out.printf(Locale.ROOT, "training step per precision (configs/tiny-moe.json%s, %d tokens/step), an untimed round of %d"
        + " steps per policy, then %d interleaved rounds x %d warm-up + %d timed steps%n", sets.isEmpty() ? "" : " " + sets,
        tokens, UNTIMED_STEPS, rounds, warmup, steps);
    out.printf(Locale.ROOT, "%-20s %10s %10s %10s %12s %12s%n", "policy", "wall ms", "cpu ms", "tokens/s",
        "vs fp32 wall", "vs fp32 cpu");
    for (String policy : ROWS) {
      double med = median(wall.get(policy));
      double medCpu = median(cpu.get(policy));
      double tps = tokens / (med / 1000);
      out.printf(Locale.ROOT, "%-20s %10.0f %10.0f %10.0f %11.2fx %11.2fx%n", policy, med, medCpu, tps, fp32 / med,
          fp32Cpu / medCpu);
      json.put(policy, Map.of("median_wall_ms", med, "median_cpu_ms", medCpu, "tokens_per_s", tps,
          "speed_vs_fp32_wall", fp32 / med, "speed_vs_fp32_cpu", fp32Cpu / medCpu, "wall_ms", wall.get(policy),
          "cpu_ms", cpu.get(policy)));
    }
    json.put("pytorch_peer", peerTable(peer, peerNotes, tokens, median(wall.get("fp32")),
        median(wall.get("bf16-mixed")), out));
    out.println();
    return json;
  }

  /** The fp32 step with the grouped routed-expert products turned off for its layers. */
  private static StepBench.Result perExpert(List<String> sets, PluginRegistry registry, int warmup, int steps) {
    String before = System.getProperty(dev.roundhouse.host.model.GroupedExperts.PROPERTY);
    System.setProperty(dev.roundhouse.host.model.GroupedExperts.PROPERTY, "false");
    try {
      return StepBench.run(ConfigLoader.load(null, sets), registry, warmup, steps);
    } finally {
      if (before == null) {
        System.clearProperty(dev.roundhouse.host.model.GroupedExperts.PROPERTY);
      } else {
        System.setProperty(dev.roundhouse.host.model.GroupedExperts.PROPERTY, before);
      }
    }
  }

  /** Peer modes and thread counts timed in every round. */
  private static final List<String> PEER_MODES = List.of("fp32", "bf16 autocast");
  private static final List<Integer> PEER_THREADS = List.of(1, 2);

  /** Prints the peer's rows (median over rounds of its per-round medians) and Roundhouse vs its fastest setting. */
  private static Map<String, Object> peerTable(Map<String, List<Double>> peer, Map<String, String> notes, long tokens,
                                               double rhFp32Ms, double rhBf16Ms, PrintStream out) {
    Map<String, Object> json = new LinkedHashMap<>();
    out.printf(Locale.ROOT, "%-36s %10s %10s   %s%n", "PyTorch peer (same config)", "wall ms", "tokens/s", "blas");
    double bestFp32 = Double.NaN;
    double bestBf16 = Double.NaN;
    for (Map.Entry<String, String> e : notes.entrySet()) {
      List<Double> v = peer.get(e.getKey());
      if (v == null) {
        out.printf(Locale.ROOT, "%-36s %s%n", e.getKey(), e.getValue());
        json.put(e.getKey(), Map.of("skipped", e.getValue()));
        continue;
      }
      double med = median(v);
      out.printf(Locale.ROOT, "%-36s %10.0f %10.0f   %s%n", e.getKey(), med, tokens / (med / 1000), e.getValue());
      json.put(e.getKey(), Map.of("median_wall_ms", med, "tokens_per_s", tokens / (med / 1000), "wall_ms", v,
          "blas", e.getValue()));
      if (e.getKey().contains("bf16")) {
        bestBf16 = Double.isNaN(bestBf16) ? med : Math.min(bestBf16, med);
      } else {
        bestFp32 = Double.isNaN(bestFp32) ? med : Math.min(bestFp32, med);
      }
    }
    if (!Double.isNaN(bestFp32)) {
      out.printf(Locale.ROOT, "Roundhouse fp32 vs peer's fastest fp32: %.2fx; bf16-mixed vs peer's fastest fp32: %.2fx%n",
          bestFp32 / rhFp32Ms, bestFp32 / rhBf16Ms);
      json.put("rh_fp32_vs_peer_fastest_fp32", bestFp32 / rhFp32Ms);
      json.put("rh_bf16_mixed_vs_peer_fastest_fp32", bestFp32 / rhBf16Ms);
    }
    if (!Double.isNaN(bestBf16)) {
      out.printf(Locale.ROOT, "Roundhouse bf16-mixed vs peer's fastest bf16 autocast: %.2fx%n", bestBf16 / rhBf16Ms);
      json.put("rh_bf16_mixed_vs_peer_fastest_bf16", bestBf16 / rhBf16Ms);
    }
    return json;
  }

  private static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }
}
