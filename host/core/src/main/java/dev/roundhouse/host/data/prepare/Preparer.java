package dev.roundhouse.host.data.prepare;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.SourceDocuments;
import dev.roundhouse.host.data.Tokenizer;
import dev.roundhouse.host.data.Utf8;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code roundhouse data prepare}: reads every source, filters, deduplicates (exact and near, across
 * sources, first occurrence kept), holds out whole documents per source for validation, tokenises on
 * all cores and packs documents, each followed by EOS, into shards {@code DIR/<source>/train_NNNNNN.bin}
 * and {@code val_NNNNNN.bin}, then writes {@code DIR/manifest.json} last. The output is a pure function
 * of the mixture file, the source contents and the seed.
 */
public final class Preparer {

  /** Name of the manifest in a prepared dataset folder. */
  public static final String MANIFEST = "manifest.json";

  private Preparer() {}

  /** Loads and checks a mixture file. */
  public static MixSpec load(Path mixFile) {
    if (!Files.isRegularFile(mixFile)) {
      throw new DataException(mixFile + ": mixture file not found");
    }
    MixSpec mix;
    try {
      mix = PrepareJson.MAPPER.readValue(mixFile.toFile(), MixSpec.class);
    } catch (IOException e) {
      throw new DataException(mixFile + ": not a valid mixture file: " + e.getMessage().lines().findFirst().orElse(""));
    }
    mix.check(mixFile.toString());
    return mix;
  }

  /**
   * Prepares {@code mix} into {@code out} (created; must be empty or absent) on all cores.
   *
   * @param progress receives one line per stage
   * @return the manifest written
   */
  public static ObjectNode prepare(MixSpec mix, Path out, Consumer<String> progress) throws IOException {
    return prepare(mix, out, progress, Runtime.getRuntime().availableProcessors(), new PrepareTimings());
  }

  /**
   * Prepares {@code mix} into {@code out} (created; must be empty or absent) on {@code threads}
   * threads; the output does not depend on the thread count.
   *
   * @param progress receives one line per stage
   * @param timings receives the wall and CPU time of each phase
   * @return the manifest written
   */
  public static ObjectNode prepare(MixSpec mix, Path out, Consumer<String> progress, int threads,
      PrepareTimings timings) throws IOException {
    if (Files.isDirectory(out)) {
      try (var s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new DataException(out + ": output folder is not empty");
        }
      }
    }
    Files.createDirectories(out);
    Tokenizer tok = mix.tokenizer().open();
    int eos = EosToken.of(tok);
    boolean u32 = tok.vocabSize() > 65536;
    Dedup dedup = new Dedup(mix.dedup(), mix.seed());
    double[] weights = mix.normalisedWeights();
    ObjectNode manifest = PrepareJson.MAPPER.createObjectNode();
    manifest.put("format", "roundhouse-prepared-v1");
    manifest.put("seed", mix.seed());
    ObjectNode tk = manifest.putObject("tokenizer");
    tk.set("spec", PrepareJson.MAPPER.valueToTree(mix.tokenizer()));
    tk.put("hash", mix.tokenizer().hash());
    tk.put("vocabSize", tok.vocabSize());
    tk.put("eos", eos);
    manifest.put("dtype", u32 ? "uint32" : "uint16");
    manifest.put("valFraction", mix.valFraction());
    manifest.set("dedup", PrepareJson.MAPPER.valueToTree(mix.dedup()));
    manifest.set("filters", PrepareJson.MAPPER.valueToTree(mix.filters()));
    ArrayNode sources = manifest.putArray("sources");
    try (IndexParallel par = new IndexParallel(threads)) {
      for (int si = 0; si < mix.sources().size(); si++) {
        MixSpec.Source s = mix.sources().get(si);
        String at = "[" + (si + 1) + "/" + mix.sources().size() + "] " + s.name() + ": ";
        progress.accept(at + "reading");
        timings.start("read");
        List<String> docs = s.synthetic() != null
            ? SourceDocuments.synthetic(s.name(), s.synthetic(), s.documents(), mix.seed())
            : SourceDocuments.read(s.name(), s.path(), s.field(), par::forEach);
        // filters and dedup fingerprints (normalised text, MinHash, band keys) per document on all
        // cores; the decisions in document order on this thread between its chunks (first occurrence stays)
        progress.accept(at + "filters and dedup of " + docs.size() + " documents");
        timings.start("filter+fingerprint+dedup");
        QualityFilter.Verdict[] verdict = new QualityFilter.Verdict[docs.size()];
        Dedup.Fingerprint[] prints = new Dedup.Fingerprint[docs.size()];
        int[] decision = new int[docs.size()];
        long[] decideNanos = new long[2];
        par.forEach(docs.size(), i -> {
          verdict[i] = QualityFilter.check(docs.get(i), mix.filters());
          if (verdict[i] == QualityFilter.Verdict.KEEP) {
            prints[i] = dedup.fingerprint(docs.get(i));
          }
        }, i -> {
          if (prints[i] != null) {
            long t0 = System.nanoTime();
            decision[i] = dedup.decide(prints[i]);
            prints[i] = null;
            decideNanos[0] += System.nanoTime() - t0;
          } else {
            decision[i] = -1;
          }
        });
        timings.stop();
        timings.add("  of which dedup decisions (one thread, overlapped)", decideNanos[0]);
        long[] verdicts = new long[QualityFilter.Verdict.values().length];
        for (QualityFilter.Verdict v : verdict) {
          verdicts[v.ordinal()]++;
        }
        List<String> kept = new ArrayList<>();
        long exact = 0;
        long near = 0;
        for (int i = 0; i < decision.length; i++) {
          if (decision[i] == 0) {
            kept.add(docs.get(i));
          } else if (decision[i] == 1) {
            exact++;
          } else if (decision[i] == 2) {
            near++;
          }
        }
        if (kept.isEmpty()) {
          throw new DataException("source \"" + s.name() + "\": no document left after filters and dedup ("
              + docs.size() + " read)");
        }
        boolean[] val = validationDocs(kept.size(), mix.valFraction(), mix.seed(), s.name());
        progress.accept(at + "tokenising " + kept.size() + " documents");
        timings.start("tokenise");
        int[][] encoded = new int[kept.size()][];
        int[] utf8 = new int[kept.size()];
        par.forEach(kept.size(), i -> {
          encoded[i] = tok.encode(kept.get(i));
          utf8[i] = utf8Bytes(kept.get(i));
        });
        timings.start("pack+write");
        ObjectNode src = sources.addObject();
        src.put("name", s.name());
        src.put("origin", s.synthetic() != null ? "synthetic:" + s.synthetic() : s.path());
        src.put("weight", weights[si]);
        if (s.tokens() != null) {
          src.put("tokenBudget", s.tokens());
        }
        src.put("epochs", s.epochs());
        ObjectNode counts = src.putObject("documents");
        counts.put("read", docs.size());
        counts.put("tooShort", verdicts[QualityFilter.Verdict.TOO_SHORT.ordinal()]);
        counts.put("tooLong", verdicts[QualityFilter.Verdict.TOO_LONG.ordinal()]);
        counts.put("charClass", verdicts[QualityFilter.Verdict.CHAR_CLASS.ordinal()]);
        counts.put("repeatedLines", verdicts[QualityFilter.Verdict.REPEATED_LINES.ordinal()]);
        counts.put("exactDuplicates", exact);
        counts.put("nearDuplicates", near);
        counts.put("kept", kept.size());
        Files.createDirectories(out.resolve(s.name()));
        String[] splits = {"train", "val"};
        List<List<PreparedShards.Written>> written = new ArrayList<>(List.of(List.of(), List.of()));
        IOException[] failed = new IOException[2];
        // the two splits pack, hash and write side by side
        par.forEach(2, k -> {
          try {
            written.set(k, PreparedShards.writeSplit(out, s.name(), splits[k], encoded, val, k == 1, eos,
                mix.shardTokens(), u32));
          } catch (IOException e) {
            failed[k] = e;
          }
        });
        for (IOException e : failed) {
          if (e != null) {
            throw e;
          }
        }
        for (int k = 0; k < 2; k++) {
          boolean isVal = k == 1;
          long bytes = 0;
          int nDocs = 0;
          long total = 0;
          for (int i = 0; i < encoded.length; i++) {
            if (val[i] == isVal) {
              total += encoded[i].length + 1;
              bytes += utf8[i];
              nDocs++;
            }
          }
          ObjectNode part = src.putObject(splits[k]);
          part.put("documents", nDocs);
          part.put("tokens", (int) total);
          part.put("bytes", bytes);
          ArrayNode shards = part.putArray("shards");
          for (PreparedShards.Written w : written.get(k)) {
            shards.addObject().put("file", w.file()).put("tokens", w.tokens()).put("sha256", w.sha256());
          }
        }
        timings.stop();
        progress.accept(at + kept.size() + " of " + docs.size() + " documents kept (" + exact + " exact, " + near
            + " near duplicates), " + src.get("train").get("tokens") + " train + " + src.get("val").get("tokens")
            + " val tokens");
      }
    }
    timings.start("pack+write");
    PrepareJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out.resolve(MANIFEST).toFile(), manifest);
    timings.stop();
    return manifest;
  }

  /** {@code text.getBytes(UTF_8).length} without the copy (1 per unpaired surrogate: the encoder writes '?'). */
  static int utf8Bytes(String text) {
    return Utf8.length(text, 1);
  }

  /** Which documents are validation: a seeded hash per document below valFraction, at least one. */
  static boolean[] validationDocs(int n, double valFraction, long seed, String source) {
    boolean[] val = new boolean[n];
    if (valFraction <= 0 || n < 2) {
      return val;
    }
    long salt = Dedup.fmix(seed ^ source.hashCode());
    int count = 0;
    for (int i = 0; i < n; i++) {
      double u = (Dedup.fmix(salt + i) >>> 11) * 0x1.0p-53;
      val[i] = u < valFraction;
      count += val[i] ? 1 : 0;
    }
    if (count == 0) {
      val[n - 1] = true;
    } else if (count == n) {
      val[0] = false;
    }
    return val;
  }
}
