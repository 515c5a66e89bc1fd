package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.DataSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each supported format loads to the expected tokens. Errors are in {@link DataErrorsTest}. */
class DataSourcesTest {

  private final ByteTokenizer tok = new ByteTokenizer();
  @TempDir Path dir;

  private static int[] bytes(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[i] & 0xFF;
    }
    return out;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  @Test
  void textFileTokensAreExactlyItsBytes() throws IOException {
    String text = "First line\nzweite Zeile äöü\n日本\nno newline at end";
    write(dir.resolve("corpus.txt"), text);
    TokenStream s = DataSources.open(dir.resolve("corpus.txt").toString(), tok, 1);
    assertArrayEquals(bytes(text), s.tokens());
    assertFalse(s.hasDomains());
    assertEquals(text, tok.decode(s.tokens()));
  }

  @Test
  void folderLoadsTextFilesRecursivelyInPathOrderJoinedByNewlines() throws IOException {
    write(dir.resolve("b.txt"), "bee\n");
    write(dir.resolve("a/z.md"), "zed");
    write(dir.resolve("a/c/deep.txt"), "deep");
    write(dir.resolve("c.jsonl"), "{\"text\": \"json doc\"}\n");
    write(dir.resolve("ignored.csv"), "x,y");
    write(dir.resolve(".hidden.txt"), "hidden");
    write(dir.resolve(".git/config.txt"), "hidden too");
    write(dir.resolve("empty.txt"), "");
    TokenStream s = DataSources.open(dir.toString(), tok, 1);
    // order: a/c/deep.txt, a/z.md, b.txt, c.jsonl (empty.txt skipped)
    assertEquals("deep\nzed\nbee\njson doc\n", tok.decode(s.tokens()));
  }

  @Test
  void jsonlTakesTheTextFieldOfEachLine() throws IOException {
    write(dir.resolve("docs.jsonl"),
        "{\"id\": 1, \"text\": \"héllo\"}\n\n{\"text\": \"line\\nbreak\\n\", \"meta\": {\"a\": [1]}}\r\n{\"text\": \"\"}\n");
    TokenStream s = DataSources.open(dir.resolve("docs.jsonl").toString(), tok, 1);
    assertEquals("héllo\nline\nbreak\n", tok.decode(s.tokens()));
  }

  @Test
  void binShardLoadsUint16TokensAfterTheHeader() throws IOException {
    int[] tokens = {0, 1, 255, 65, 10, 200};
    ShardFiles.write(dir.resolve("shard.bin"), tokens);
    assertArrayEquals(tokens, DataSources.open(dir.resolve("shard.bin").toString(), tok, 1).tokens());
    // large ids survive the unsigned conversion when the vocabulary allows them
    int[] big = {50256, 65535, 0, 40000};
    ShardFiles.write(dir.resolve("big.bin"), big);
    assertArrayEquals(big, ShardFormat.read(dir.resolve("big.bin"), 65536));
  }

  @Test
  void shardWriterOutputIsReadBack() throws IOException {
    int[] tokens = {7, 50256, 65535, 0};
    ShardFormat.write(dir.resolve("w.bin"), tokens);
    assertEquals(1024 + 8, Files.size(dir.resolve("w.bin")));
    assertArrayEquals(tokens, ShardFormat.read(dir.resolve("w.bin"), 65536));
  }

  @Test
  void folderAndGlobOfShardsConcatenateInNameOrder() throws IOException {
    Path shards = dir.resolve("shards");
    Files.createDirectories(shards);
    ShardFiles.write(shards.resolve("train_000001.bin"), new int[] {3, 4});
    ShardFiles.write(shards.resolve("train_000000.bin"), new int[] {1, 2});
    ShardFiles.write(shards.resolve("val_000000.bin"), new int[] {9});
    assertArrayEquals(new int[] {1, 2, 3, 4, 9}, DataSources.open(shards.toString(), tok, 1).tokens());
    assertArrayEquals(new int[] {1, 2, 3, 4},
        DataSources.open(shards.resolve("train_*.bin").toString(), tok, 1).tokens());
    assertArrayEquals(new int[] {1, 2, 9},
        DataSources.open(shards.resolve("*_000000.bin").toString(), tok, 1).tokens());
    assertArrayEquals(new int[] {1, 2, 3, 4, 9}, DataSources.open(dir.resolve("**.bin").toString(), tok, 1).tokens());
  }

  @Test
  void nullPathGivesTheSyntheticCorpusWithDomains() {
    TokenStream s = DataSources.open(null, tok, 42, 5_000);
    assertTrue(s.hasDomains());
    assertEquals(SyntheticCorpus.DOMAINS, s.domainNames());
    assertTrue(s.size() >= 5_000, "size " + s.size());
  }

  @Test
  void dataSpecOpensAndSplitsWithDefaults() throws IOException {
    write(dir.resolve("t.txt"), "abcdefghij".repeat(10));
    Dataset d = new DataSpec(dir.resolve("t.txt").toString(), null, null).open(tok, 1);
    assertEquals(90, d.train().size());
    assertEquals(10, d.val().size());
    assertEquals(0.1, DataSpec.defaults().valFraction());
    assertEquals(SyntheticCorpus.DEFAULT_BYTES, DataSpec.defaults().syntheticBytes());
  }

  @Test
  void dataSpecReadsFromJsonWithDefaultsAndValidates() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    DataSpec spec = json.readValue("{\"path\": \"x.txt\", \"valFraction\": 0.2}", DataSpec.class);
    assertEquals(new DataSpec("x.txt", 0.2, SyntheticCorpus.DEFAULT_BYTES), spec);
    assertEquals(DataSpec.defaults(), json.readValue("{}", DataSpec.class));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new DataSpec(null, 1.5, null));
    assertTrue(e.getMessage().contains("valFraction"), e.getMessage());
  }
}
