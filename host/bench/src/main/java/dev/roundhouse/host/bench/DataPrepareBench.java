package dev.roundhouse.host.bench;

import dev.roundhouse.host.data.SourceDocuments;
import dev.roundhouse.host.data.prepare.MixSpec;
import dev.roundhouse.host.data.prepare.PrepareTimings;
import dev.roundhouse.host.data.prepare.Preparer;
import dev.roundhouse.host.data.tokenizer.BpeTrainer;
import dev.roundhouse.host.data.tokenizer.HfTokenizerJson;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code roundhouse bench data-prepare}: {@code data prepare} end to end (read, filters, exact and
 * near dedup, tokenise, pack, sha256, write) of one JSONL corpus with each tokenizer, on all cores
 * and on one thread. Two rounds, tokenizers interleaved: the first run of the process pays for
 * JIT compilation as a {@code roundhouse data prepare} process does ("cold"); later runs are warm.
 * Reports MB/s of input text (UTF-8 bytes of the documents read) per wall second, process CPU
 * seconds per MB (load-independent: every JVM thread, JIT and GC included) and the phases. The
 * default corpus is the shared tinyshakespeare (one document per paragraph) plus the repository's
 * .md and .java files (one document per paragraph); the default tokenizers are byte, the shipped
 * 2k BPE and an 8k BPE trained on the corpus first (not timed as part of prepare).
 */
public final class DataPrepareBench {

  private DataPrepareBench() {}

  /** One prepare run. */
  public record Run(String tokenizer, String round, int threads, double wallS, double cpuS, double inputMb,
      double mbPerS, double cpuSPerMb, Map<String, double[]> phasesWallCpuS) {}

  /**
   * Runs the benchmark.
   *
   * @param corpora JSONL files ("text" field) or text files; empty: the default corpus
   * @param tokenizers tokenizer.json files of BPE tokenizers; empty: the shipped 2k and a trained 8k
   */
  public static List<Run> run(List<String> corpora, List<String> tokenizers, PrintStream out) {
    try {
      Path work = Files.createTempDirectory("roundhouse-bench-prepare");
      try {
        return run(work, corpora, tokenizers, out);
      } finally {
        deleteTree(work);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Run> run(Path work, List<String> corpora, List<String> tokenizers, PrintStream out)
      throws IOException {
    List<String> paths = new ArrayList<>(corpora);
    if (paths.isEmpty()) {
      paths.add(defaultCorpus(work.resolve("corpus.jsonl")).toString());
    }
    long inputBytes = 0;
    int docs = 0;
    for (String p : paths) {
      for (String d : SourceDocuments.read("corpus", p, "text")) {
        inputBytes += d.getBytes(StandardCharsets.UTF_8).length;
        docs++;
      }
    }
    double mb = inputBytes / 1e6;
    out.printf(Locale.ROOT, "data prepare: %,d documents, %.2f MB of text in %s; %d cores%n", docs, mb, paths,
        Runtime.getRuntime().availableProcessors());
    Map<String, TokenizerSpec> specs = new LinkedHashMap<>();
    specs.put("byte", TokenizerSpec.defaults());
    if (tokenizers.isEmpty()) {
      Path shipped = Path.of("configs/tokenizers/bpe-2k/tokenizer.json");
      if (Files.isRegularFile(shipped)) {
        specs.put("bpe-2k (shipped)", new TokenizerSpec("bpe", shipped.toString(), null));
      }
      long t0 = System.nanoTime();
      List<String> texts = new ArrayList<>();
      for (String p : paths) {
        texts.addAll(SourceDocuments.read("corpus", p, "text"));
      }
      Path tok8k = work.resolve("bpe-8k.json");
      HfTokenizerJson.write(BpeTrainer.train(texts, 8192, BpeTrainer.DEFAULT_SPECIALS).toTokenizerJson(), tok8k);
      out.printf(Locale.ROOT, "  trained an 8k BPE on the corpus in %.1f s (not part of the figures)%n",
          (System.nanoTime() - t0) / 1e9);
      specs.put("bpe-8k (trained on the corpus)", new TokenizerSpec("bpe", tok8k.toString(), null));
    } else {
      for (String t : tokenizers) {
        specs.put("bpe " + Path.of(t).getFileName(), new TokenizerSpec("bpe", t, null));
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    List<Run> runs = new ArrayList<>();
    int k = 0;
    for (String round : new String[] {"cold", "warm"}) {
      for (Map.Entry<String, TokenizerSpec> t : specs.entrySet()) {
        for (int threads : round.equals("cold") ? new int[] {cores} : new int[] {cores, 1}) {
          MixSpec mix = new MixSpec(7L, t.getValue(), null, null, null, null, paths.stream().map(p ->
              new MixSpec.Source("s" + paths.indexOf(p), p, null, null, null, null, null, null)).toList());
          Path outDir = work.resolve("out" + k++);
          PrepareTimings timings = new PrepareTimings();
          long c0 = PrepareTimings.processCpuNanos();
          long w0 = System.nanoTime();
          Preparer.prepare(mix, outDir, line -> { }, threads, timings);
          double wall = (System.nanoTime() - w0) / 1e9;
          double cpu = (PrepareTimings.processCpuNanos() - c0) / 1e9;
          deleteTree(outDir);
          Map<String, double[]> phases = new LinkedHashMap<>();
          timings.phases().forEach((name, p) -> phases.put(name.strip(),
              new double[] {p.wallNanos() / 1e9, p.cpuNanos() < 0 ? Double.NaN : p.cpuNanos() / 1e9}));
          Run r = new Run(t.getKey(), round, threads, wall, cpu, mb, mb / wall, cpu / mb, phases);
          runs.add(r);
          print(r, out);
        }
      }
    }
    out.printf(Locale.ROOT, "  load average %.2f over the last minute (%d cores); wall figures depend on it, CPU s/MB does"
        + " not; an idle machine gives about cores / (CPU s/MB) MB/s where the phases keep every core busy%n%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), cores);
    return runs;
  }

  private static void print(Run r, PrintStream out) {
    StringBuilder ph = new StringBuilder();
    r.phasesWallCpuS().forEach((name, v) -> ph.append(String.format(Locale.ROOT, "%s %.2f/%s  ", name, v[0],
        Double.isNaN(v[1]) ? "-" : String.format(Locale.ROOT, "%.2f", v[1]))));
    out.printf(Locale.ROOT, "  %-30s %-4s %d thread%s: %6.2f s wall, %6.2f s cpu -> %5.2f MB/s, %.3f cpu s/MB%n"
        + "      phases (wall/cpu s): %s%n", r.tokenizer(), r.round(), r.threads(), r.threads() == 1 ? " " : "s",
        r.wallS(), r.cpuS(), r.mbPerS(), r.cpuSPerMb(), ph.toString().strip());
  }

  /**
   * The default corpus as JSONL: the shared tinyshakespeare when found (above the working
   * directory, in a {@code shared/data} folder) and the .md and .java files under the working
   * directory, one document per paragraph (blank-line separated).
   */
  static Path defaultCorpus(Path file) throws IOException {
    List<Path> sources = new ArrayList<>();
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path s = d.resolve("shared/data/tinyshakespeare.txt");
      if (Files.isRegularFile(s)) {
        sources.add(s);
        break;
      }
    }
    try (Stream<Path> walk = Files.walk(Path.of(""))) {
      walk.filter(p -> Files.isRegularFile(p) && !p.toString().contains("target") && !p.toString().contains("node_modules")
          && !p.toString().startsWith(".") && (p.toString().endsWith(".md") || p.toString().endsWith(".java")))
          .sorted().forEach(sources::add);
    }
    Pattern paragraphs = Pattern.compile("\\n\\s*\\n");
    List<String> lines = new ArrayList<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    for (Path s : sources) {
      for (String p : paragraphs.split(Files.readString(s))) {
        if (!p.isBlank()) {
          lines.add("{\"text\": " + json.writeValueAsString(p) + "}");
        }
      }
    }
    Files.write(file, lines);
    return file;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
