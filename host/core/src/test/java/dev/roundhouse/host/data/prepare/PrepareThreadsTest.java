package dev.roundhouse.host.data.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.SourceDocuments;
import dev.roundhouse.host.data.tokenizer.BpeTrainer;
import dev.roundhouse.host.data.tokenizer.HfTokenizerJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prepared dataset does not depend on the thread count: 1, 2 and 5 threads give the same manifest
 * and byte-identical shards (byte and BPE tokenizers, several sources sharing the dedup state,
 * exact and near duplicates spread over many parallel chunks); and the parallel helper's order and
 * error guarantees that this rests on.
 */
class PrepareThreadsTest {

  @TempDir
  Path dir;

  private Path corpus() throws Exception {
    List<String> docs = new ArrayList<>(SourceDocuments.synthetic("t", "english", 700, 4));
    docs.addAll(SourceDocuments.synthetic("t", "code", 500, 4));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      lines.add("{\"text\": " + PrepareJson.MAPPER.writeValueAsString(docs.get(i)) + "}");
      if (i % 7 == 3) { // an exact duplicate (case and spacing differ) of an earlier document
        lines.add("{\"text\": " + PrepareJson.MAPPER.writeValueAsString("  " + docs.get(i / 2).toUpperCase()) + "}");
      }
      if (i % 11 == 5) { // a near duplicate: one word changed
        lines.add("{\"text\": " + PrepareJson.MAPPER.writeValueAsString(docs.get(i).replaceFirst(" ", " and ")) + "}");
      }
    }
    Path f = dir.resolve("docs.jsonl");
    Files.write(f, lines);
    for (String d : SourceDocuments.synthetic("t", "arithmetic", 100, 4)) {
      lines.add("{\"text\": " + PrepareJson.MAPPER.writeValueAsString(d + " and more words to pass the filter") + "}");
    }
    Files.write(dir.resolve("docs-again.jsonl"), lines);
    return f;
  }

  private MixSpec mix(String tokenizer) throws Exception {
    Path mix = dir.resolve("mix-" + Math.abs(tokenizer.hashCode()) + ".json");
    Files.writeString(mix, "{\"seed\": 5, \"valFraction\": 0.1, \"shardTokens\": 4096, " + tokenizer
        + "\"filters\": {\"minChars\": 20},"
        + "\"sources\": [{\"name\": \"docs\", \"path\": \"" + corpus() + "\"},"
        + "{\"name\": \"again\", \"path\": \"" + dir.resolve("docs-again.jsonl") + "\"},"
        + "{\"name\": \"json\", \"synthetic\": \"json\", \"documents\": 400}]}");
    return Preparer.load(mix);
  }

  private void sameForAllThreadCounts(MixSpec mix, String name) throws Exception {
    JsonNode reference = null;
    Path referenceDir = null;
    for (int threads : new int[] {1, 2, 5}) {
      Path out = dir.resolve(name + "-" + threads);
      JsonNode m = Preparer.prepare(mix, out, s -> { }, threads, new PrepareTimings());
      if (reference == null) {
        reference = m;
        referenceDir = out;
        JsonNode docs = m.get("sources").get(0).get("documents");
        assertTrue(docs.get("exactDuplicates").asInt() > 50 && docs.get("nearDuplicates").asInt() > 20, docs.toString());
        JsonNode again = m.get("sources").get(1).get("documents");
        assertTrue(again.get("exactDuplicates").asInt() >= 1000, again.toString());
        assertEquals(100, again.get("kept").asInt(), "the second source repeats the first but for 100 documents: "
            + again);
        continue;
      }
      assertEquals(reference.toString(), m.toString(), threads + " threads: same manifest (shard hashes included)");
      for (JsonNode s : m.get("sources")) {
        for (String split : new String[] {"train", "val"}) {
          for (JsonNode shard : s.get(split).get("shards")) {
            String file = shard.get("file").asText();
            assertArrayEquals(Files.readAllBytes(referenceDir.resolve(file)), Files.readAllBytes(out.resolve(file)),
                threads + " threads: " + file);
          }
        }
      }
    }
  }

  @Test
  void byteTokenizerOutputIsTheSameOnOneTwoAndFiveThreads() throws Exception {
    sameForAllThreadCounts(mix(""), "byte");
  }

  @Test
  void bpeOutputIsTheSameOnOneTwoAndFiveThreads() throws Exception {
    Path tok = dir.resolve("tok.json");
    HfTokenizerJson.write(BpeTrainer.train(SourceDocuments.synthetic("t", "english", 300, 9), 600,
        BpeTrainer.DEFAULT_SPECIALS).toTokenizerJson(), tok);
    sameForAllThreadCounts(mix("\"tokenizer\": {\"type\": \"bpe\", \"path\": \"" + tok + "\"}, "), "bpe");
  }

  @Test
  void utf8BytesIsTheEncodedLength() {
    String alphabet = "a\u00E9\u4E2D\uD83D\uDE00\uD800\uDC00\u0000\u07FF\u0800\uFFFF";
    java.util.SplittableRandom r = new java.util.SplittableRandom(2);
    for (int i = 0; i < 5000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = r.nextInt(0, 12); k > 0; k--) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String t = sb.toString();
      assertEquals(t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, Preparer.utf8Bytes(t),
          () -> "chars " + t.chars().boxed().toList());
    }
  }

  @Test
  void inOrderStepsSeeEveryIndexOnceInOrderAfterItsBody() {
    int n = 10 * IndexParallel.CHUNK + 17;
    for (int threads : new int[] {1, 2, 4}) {
      AtomicIntegerArray body = new AtomicIntegerArray(n);
      List<Integer> order = new ArrayList<>();
      try (IndexParallel par = new IndexParallel(threads)) {
        par.forEach(n, i -> body.incrementAndGet(i), i -> {
          assertEquals(1, body.get(i), "body ran before its in-order step");
          order.add(i);
        });
      }
      for (int i = 0; i < n; i++) {
        assertEquals(i, order.get(i), threads + " threads");
      }
    }
  }

  @Test
  void theFirstBadJsonLineIsNamedWhateverTheThreads() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lines.add(i == 400 || i == 900 ? "{\"text\": broken" : "{\"text\": \"line " + i + "\"}");
    }
    Path f = dir.resolve("bad.jsonl");
    Files.write(f, lines);
    for (int threads : new int[] {1, 3}) {
      try (IndexParallel par = new IndexParallel(threads)) {
        DataException e = assertThrows(DataException.class, () -> SourceDocuments.read("s", f.toString(), "text",
            par::forEach));
        assertTrue(e.getMessage().contains("line 401: not valid JSON"), e.getMessage());
      }
    }
  }
}
