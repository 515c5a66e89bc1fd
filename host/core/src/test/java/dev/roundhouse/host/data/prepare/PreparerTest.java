package dev.roundhouse.host.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.Dataset;
import dev.roundhouse.host.data.tokenizer.BpeTrainer;
import dev.roundhouse.host.data.tokenizer.HfTokenizerJson;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data prepare: counts, dedup, split, shards and manifest, determinism, and the bad-input errors. */
class PreparerTest {

  @TempDir
  Path dir;

  private Path mix(String json) throws Exception {
    Path f = dir.resolve("mix-" + Math.abs(json.hashCode()) + ".json");
    Files.writeString(f, json);
    return f;
  }

  private Path corpus() throws Exception {
    Path docs = dir.resolve("docs");
    Files.createDirectories(docs);
    String base = "The river runs past the old mill and the miller counts his sacks of grain every morning. ";
    for (int i = 0; i < 12; i++) {
      Files.writeString(docs.resolve(String.format("d%02d.txt", i)), base.repeat(3) + " unique tail number " + i * 7919
          + " with words " + "abcdefghij".substring(i % 10) + "\n");
    }
    Files.writeString(docs.resolve("exact-copy.txt"), "  THE river runs past the old mill and the miller counts his sacks of"
        + " grain every morning. ".repeat(1));
    Files.writeString(docs.resolve("x-dup.txt"), Files.readString(docs.resolve("d03.txt")).toUpperCase());
    Files.writeString(docs.resolve("y-short.txt"), "hi");
    Files.writeString(docs.resolve("z-repeat.txt"), "same line\nsame line\nsame line\nsame line\nother\n");
    Files.writeString(dir.resolve("qa.jsonl"), "{\"body\": \"question one is here?\"}\n{\"body\": \"question two, fine.\"}\n"
        + "{\"body\": \"question three: ok\"}\n");
    return docs;
  }

  private String mixJson(String extra) throws Exception {
    Path docs = corpus();
    return "{\"seed\": 3, \"valFraction\": 0.2, \"shardTokens\": 1024,"
        + "\"filters\": {\"minChars\": 5, \"maxRepeatedLineRatio\": 0.5},"
        + "\"dedup\": {\"nearThreshold\": 0.7, \"numPerm\": 64, \"bands\": 16}, " + extra
        + "\"sources\": ["
        + "{\"name\": \"files\", \"path\": \"" + docs + "\", \"weight\": 2, \"epochs\": 3},"
        + "{\"name\": \"qa\", \"path\": \"" + dir.resolve("qa.jsonl") + "\", \"field\": \"body\", \"weight\": 1},"
        + "{\"name\": \"arith\", \"synthetic\": \"arithmetic\", \"documents\": 300, \"weight\": 1}]}";
  }

  @Test
  void preparesCountsDedupSplitAndIsDeterministic() throws Exception {
    Path mixFile = mix(mixJson(""));
    JsonNode m1 = Preparer.prepare(Preparer.load(mixFile), dir.resolve("out1"), s -> { });
    JsonNode m2 = Preparer.prepare(Preparer.load(mixFile), dir.resolve("out2"), s -> { });
    assertEquals(m1.toString(), m2.toString(), "same mixture and seed, same manifest (shard hashes included)");
    JsonNode files = m1.get("sources").get(0).get("documents");
    assertEquals(16, files.get("read").asInt());
    assertEquals(1, files.get("tooShort").asInt());
    assertEquals(1, files.get("repeatedLines").asInt());
    assertTrue(files.get("exactDuplicates").asInt() + files.get("nearDuplicates").asInt() >= 1, files.toString());
    assertTrue(files.get("nearDuplicates").asInt() >= 1, "near-identical documents d00..d11: " + files);
    assertEquals(3, m1.get("sources").get(1).get("documents").get("kept").asInt());
    assertEquals("uint16", m1.get("dtype").asText());
    for (JsonNode s : m1.get("sources")) {
      assertTrue(s.get("val").get("documents").asInt() >= 1, "validation documents per source " + s);
      assertTrue(s.get("train").get("documents").asInt() >= 1);
    }
    Dataset ds = PreparedDataset.open(dir.resolve("out1"), TokenizerSpec.defaults()).asDataset();
    assertEquals(List.of("files", "qa", "arith"), ds.mixture().names());
    assertEquals(m1.get("sources").get(2).get("train").get("tokens").asInt(), ds.mixture().lengths()[2]);
    assertEquals(0, ds.train().tokens()[ds.mixture().offsets()[1] - 1], "documents end in EOS (byte 0)");
  }

  @Test
  void weightZeroOrBelowIsNamed() throws Exception {
    Path f = mix("{\"sources\": [{\"name\": \"a\", \"synthetic\": \"code\", \"weight\": 0}]}");
    DataException e = assertThrows(DataException.class, () -> Preparer.load(f));
    assertTrue(e.getMessage().contains("source \"a\"") && e.getMessage().contains("weight must be > 0"), e.getMessage());
  }

  @Test
  void missingSourceIsNamed() throws Exception {
    Path f = mix("{\"sources\": [{\"name\": \"web\", \"path\": \"" + dir.resolve("nope") + "\"}]}");
    DataException e = assertThrows(DataException.class,
        () -> Preparer.prepare(Preparer.load(f), dir.resolve("o"), s -> { }));
    assertTrue(e.getMessage().contains("source \"web\"") && e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void checksumFailureNamesTheShard() throws Exception {
    Path out = dir.resolve("out");
    Preparer.prepare(Preparer.load(mix(mixJson(""))), out, s -> { });
    Path shard = out.resolve("arith/train_000000.bin");
    byte[] b = Files.readAllBytes(shard);
    b[b.length - 1] ^= 1;
    Files.write(shard, b);
    DataException e = assertThrows(DataException.class, () -> PreparedDataset.open(out, TokenizerSpec.defaults()));
    assertTrue(e.getMessage().contains(shard.toString()) && e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void tokenizerMismatchNamesBoth() throws Exception {
    Path out = dir.resolve("out");
    Preparer.prepare(Preparer.load(mix(mixJson(""))), out, s -> { });
    Path tj = dir.resolve("tokenizer.json");
    HfTokenizerJson.write(BpeTrainer.train(List.of("some text to train on, some text"), 270,
        BpeTrainer.DEFAULT_SPECIALS).toTokenizerJson(), tj);
    DataException e = assertThrows(DataException.class,
        () -> PreparedDataset.open(out, new TokenizerSpec("bpe", tj.toString(), null)));
    assertTrue(e.getMessage().contains("tokenized with byte") && e.getMessage().contains("bpe:sha256:"), e.getMessage());
  }

  @Test
  void bpeTokenizedMixtureUsesItsEos() throws Exception {
    Path tj = dir.resolve("tokenizer.json");
    HfTokenizerJson.write(BpeTrainer.train(List.of(BpeTrainerTestText.TEXT), 300, BpeTrainer.DEFAULT_SPECIALS)
        .toTokenizerJson(), tj);
    Path out = dir.resolve("bpe");
    JsonNode m = Preparer.prepare(Preparer.load(mix(mixJson("\"tokenizer\": {\"type\": \"bpe\", \"path\": \""
        + tj + "\"},"))), out, s -> { });
    assertEquals(299, m.get("tokenizer").get("eos").asInt());
    Dataset ds = PreparedDataset.open(out, new TokenizerSpec("bpe", tj.toString(), null)).asDataset();
    assertEquals(299, ds.train().tokens()[ds.train().size() - 1]);
  }

  /** Training text for a small tokenizer. */
  static final class BpeTrainerTestText {
    static final String TEXT = "12+7=19;48-13=35;6*7=42; the river runs past the old mill. def f(x):\n    return x\n"
        .repeat(50);
  }
}
