package dev.roundhouse.host.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.run.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code roundhouse bench memory}: for each case (a config with overrides) and each arena layout,
 * one child JVM runs {@link MemoryBench} (so peaks never mix; the layouts and the peer run at the
 * same time, so their step times see the same machine load), and the PyTorch peer
 * (host/bench/scripts/pytorch_reference.py under {@code /usr/bin/python3}, or {@code -Droundhouse.bench.python})
 * trains the same model and batch in its own process; prints peak RSS by phase and category and
 * the ratio to the peer. The peer is skipped, with the reason, when its script or torch is missing.
 * The peer trains one warm-up and one timed step (its peak is reached in the first step that has
 * optimizer state); {@code TORCH_BLAS_DIR} gives it a faster libblas.so.3, as in
 * host/bench/scripts/compare_pytorch.sh (Debian's torch otherwise runs the reference BLAS: same memory, slower).
 */
public final class MemoryCompare {
  /** A named config: overrides of the embedded tiny-moe. */
  public record Case(String name, List<String> sets) {}

  /** The cases of the issue: tiny-moe and the 60.6M-parameter model, at 16 x 256 tokens. */
  public static final Map<String, Case> CASES = cases();

  private static Map<String, Case> cases() {
    Map<String, Case> m = new LinkedHashMap<>();
    List<String> big = List.of("model.dModel=512", "model.nLayers=8", "model.nHeads=8", "model.moe.expertHidden=256",
        "model.moe.sharedHidden=512", "model.moe.denseHidden=1536");
    m.put("tiny-moe", new Case("tiny-moe", List.of("train.batchSize=16")));
    m.put("tiny-moe-b8", new Case("tiny-moe-b8", List.of("train.batchSize=8")));
    m.put("tiny-moe-b32", new Case("tiny-moe-b32", List.of("train.batchSize=32")));
    for (int b : new int[] {4, 8, 16}) {
      List<String> s = new ArrayList<>(big);
      s.add("train.batchSize=" + b);
      m.put("60m-b" + b, new Case("60m-b" + b, s));
    }
    return m;
  }

  private MemoryCompare() {}

  /**
   * Runs {@code caseNames} x {@code engines} (values of {@code -Droundhouse.arena}) with {@code steps}
   * steps each, plus the peer per case; {@code extra} overrides apply to every case.
   */
  public static Map<String, Object> run(List<String> caseNames, List<String> engines, List<String> extra, int steps,
      PrintStream out) {
    return run(caseNames, engines, List.of("none"), extra, steps, out);
  }

  /**
   * As {@link #run(List, List, List, int, PrintStream)}, for every arena layout x every value of
   * {@code train.activationCheckpointing} in {@code recompute} (all measured at the same time).
   * A variant is named by its layout, plus "/recompute=MODE" unless MODE is none.
   */
  public static Map<String, Object> run(List<String> caseNames, List<String> engines, List<String> recompute,
      List<String> extra, int steps, PrintStream out) {
    Map<String, Object> json = new LinkedHashMap<>();
    for (String name : caseNames) {
      Case c = CASES.get(name);
      if (c == null) {
        throw new IllegalArgumentException("unknown memory case '" + name + "' (known: "
            + String.join(", ", CASES.keySet()) + ")");
      }
      List<String> sets = new ArrayList<>(c.sets());
      sets.add("train.dataParallel=1");
      sets.addAll(extra);
      Map<String, Object> caseJson = new java.util.concurrent.ConcurrentHashMap<>();
      // The peer and every arena layout run at the same time, each in its own process: peaks are
      // per process, and on a loaded machine the layouts' step times are compared under the same load.
      java.util.concurrent.CompletableFuture<Long> peerRun = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> peerPeak(ConfigLoader.load(null, sets), steps, caseJson));
      Map<String, java.util.concurrent.CompletableFuture<JsonNode>> runs = new LinkedHashMap<>();
      for (String engine : engines) {
        for (String mode : recompute) {
          List<String> variant = new ArrayList<>(sets);
          variant.add("train.activationCheckpointing=" + mode);
          ConfigLoader.load(null, variant); // a bad mode fails here, naming the field, not in a child
          runs.put(mode.equals("none") ? engine : engine + "/recompute=" + mode,
              java.util.concurrent.CompletableFuture.supplyAsync(() -> child(engine, variant, steps)));
        }
      }
      Long peer = null;
      String peerNote;
      try {
        peer = peerRun.join();
        peerNote = peer == null ? "peer: skipped (" + caseJson.get("peer_skipped") + ")" : null;
      } catch (RuntimeException e) {
        peerNote = "peer: failed (" + e.getMessage() + ")";
      }
      Map<String, Object> ordered = new LinkedHashMap<>();
      for (Map.Entry<String, java.util.concurrent.CompletableFuture<JsonNode>> e : runs.entrySet()) {
        JsonNode r = e.getValue().join();
        ordered.put(e.getKey(), r);
        print(name, e.getKey(), r, peer, out);
      }
      if (peer != null) {
        out.printf(Locale.ROOT, "  PyTorch peer (eager, fp32, same model and batch): peak RSS %s%n%n", gb(peer));
      } else {
        out.println("  " + peerNote + "\n");
      }
      ordered.putAll(caseJson);
      json.put(name, ordered);
    }
    return json;
  }

  private static void print(String name, String engine, JsonNode r, Long peer, PrintStream out) {
    long peak = r.get("peakRss").asLong();
    out.printf(Locale.ROOT, "memory %s (%s): %,d parameters, %d tokens/step, peak RSS %s%s, median step %.0f ms%n",
        name, engine, r.get("parameterCount").asLong(), r.get("tokensPerStep").asLong(), gb(peak),
        peer == null ? "" : String.format(Locale.ROOT, " = %.2fx the peer", peak / (double) peer),
        r.get("medianStepMs").asDouble());
    StringBuilder phases = new StringBuilder("  phase peaks (step: phase peak / resident at its end):");
    int lastStep = 0;
    for (JsonNode p : r.get("phases")) {
      lastStep = Math.max(lastStep, p.get("step").asInt());
    }
    for (JsonNode p : r.get("phases")) {
      if (p.get("step").asInt() >= lastStep - 1) {
        phases.append(String.format(Locale.ROOT, "%n    %d %-16s %s / %s", p.get("step").asInt(), p.get("phase").asText(),
            gb(p.get("peakBytes").asLong()), gb(p.get("rssBytes").asLong())));
      }
    }
    out.println(phases);
    MemoryBench.Result res = Json.mapper().convertValue(r, MemoryBench.Result.class);
    out.println("  categories:");
    long sum = 0;
    for (Map.Entry<String, Long> e : MemoryBench.categories(res).entrySet()) {
      out.printf(Locale.ROOT, "    %-55s %s%n", e.getKey(), gb(e.getValue()));
      if (!e.getKey().startsWith("saved") && !e.getKey().startsWith("forward") && !e.getKey().startsWith("arena slack")) {
        sum += e.getValue();
      }
    }
    out.printf(Locale.ROOT, "    %-55s %s%n", "other (peak RSS - params, grads, opt, arenas, heap, base)",
        gb(peak - sum));
  }

  /** Runs MemoryBench in a child JVM with {@code -Droundhouse.arena=engine}; its result as JSON. */
  static JsonNode child(String engine, List<String> sets, int steps) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Droundhouse.arena=") && !a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
        cmd.add(a);
      }
    }
    cmd.add("-Droundhouse.arena=" + engine);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MemoryBench.class.getName());
    cmd.add("--steps");
    cmd.add(String.valueOf(steps));
    for (String s : sets) {
      cmd.add("--set");
      cmd.add(s);
    }
    String line = null;
    List<String> tail = new ArrayList<>();
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l = r.readLine(); l != null; l = r.readLine()) {
          if (l.startsWith("MEMORY ")) {
            line = l.substring(7);
          } else {
            tail.add(l);
            if (tail.size() > 20) {
              tail.remove(0);
            }
          }
        }
      }
      int rc = p.waitFor();
      if (rc != 0 || line == null) {
        throw new IllegalStateException("memory measurement (arena " + engine + ") exited with " + rc + ": "
            + String.join("\n", tail));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the memory measurement JVM: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return Json.parse(line, "memory measurement");
  }

  private static final Pattern PEER_PEAK = Pattern.compile("peak RSS: (\\d+) bytes");
  private static final Pattern PEER_MEDIAN = Pattern.compile("median of \\d+ steps: ([0-9.]+) ms");

  /** The peer's peak RSS in bytes for {@code cfg}, or null (reason in json.peer_skipped). */
  static Long peerPeak(RunConfig cfg, int steps, Map<String, Object> json) {
    Path script = findScript();
    String python = System.getProperty("roundhouse.bench.python", "/usr/bin/python3");
    if (script == null) {
      json.put("peer_skipped", "host/bench/scripts/pytorch_reference.py not found under the working directory or roundhouse.home");
      return null;
    }
    if (!Files.isExecutable(Path.of(python))) {
      json.put("peer_skipped", python + " not found");
      return null;
    }
    Path cfgFile;
    try {
      cfgFile = Files.createTempFile("roundhouse-memory-peer", ".json");
      Files.writeString(cfgFile, Json.pretty(cfg));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--bench", "--config", cfgFile.toString(),
          "--warmup", "1", "--steps", "1").redirectErrorStream(true);
      pb.environment().remove("LD_PRELOAD");
      String blasDir = System.getenv("TORCH_BLAS_DIR"); // as host/bench/scripts/compare_pytorch.sh: a faster libblas.so.3
      if (blasDir != null && !blasDir.isBlank()) {
        String ld = System.getenv("LD_LIBRARY_PATH");
        pb.environment().put("LD_LIBRARY_PATH", blasDir + (ld == null || ld.isBlank() ? "" : ":" + ld));
      }
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      Matcher m = PEER_PEAK.matcher(output);
      if (rc != 0 || !m.find()) {
        String reason = output.contains("No module named 'torch'") ? python + " has no torch"
            : "exit " + rc + ": " + output.substring(Math.max(0, output.length() - 400)).strip();
        json.put("peer_skipped", reason);
        return null;
      }
      long peak = Long.parseLong(m.group(1));
      Matcher med = PEER_MEDIAN.matcher(output);
      json.put("peer", Map.of("peak_rss", peak, "median_step_ms", med.find() ? Double.parseDouble(med.group(1)) : -1));
      return peak;
    } catch (IOException e) {
      json.put("peer_skipped", "cannot start " + python + ": " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      try {
        Files.deleteIfExists(cfgFile);
      } catch (IOException ignored) {
        // temporary file
      }
    }
  }

  static Path findScript() {
    List<Path> roots = new ArrayList<>(List.of(Path.of("").toAbsolutePath()));
    String home = System.getProperty("roundhouse.home");
    if (home != null) {
      roots.add(Path.of(home));
    }
    for (Path r : roots) {
      for (Path d = r; d != null; d = d.getParent()) {
        Path s = d.resolve("host/bench/scripts/pytorch_reference.py");
        if (Files.isRegularFile(s)) {
          return s;
        }
      }
    }
    return null;
  }

  static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
  }
}
