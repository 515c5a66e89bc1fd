package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad source fails at load time with a one-line message naming the file. */
class DataErrorsTest {

  private final ByteTokenizer tok = new ByteTokenizer();
  @TempDir Path dir;

  /** Loads {@code path} expecting a DataException whose message contains every fragment. */
  private String fails(Path path, String... fragments) {
    DataException e = assertThrows(DataException.class, () -> DataSources.open(path.toString(), tok, 1));
    String msg = e.getMessage();
    assertFalse(msg.contains("\n"), "one line: " + msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), "message lacks '" + f + "': " + msg);
    }
    return msg;
  }

  @Test
  void missingPath() {
    fails(dir.resolve("nope.txt"), "not found", "nope.txt");
  }

  @Test
  void emptyFilesAndFolders() throws IOException {
    Files.writeString(dir.resolve("empty.txt"), "");
    fails(dir.resolve("empty.txt"), "empty", "empty.txt");
    Files.writeString(dir.resolve("blank.jsonl"), "\n\n");
    fails(dir.resolve("blank.jsonl"), "blank.jsonl");
    Path none = Files.createDirectories(dir.resolve("nothing-here"));
    Files.writeString(none.resolve("data.csv"), "a,b");
    fails(none, "nothing-here", "no .txt");
    Path allEmpty = Files.createDirectories(dir.resolve("all-empty"));
    Files.writeString(allEmpty.resolve("a.txt"), "");
    fails(allEmpty, "all-empty", "empty");
  }

  @Test
  void unreadableFile() throws IOException {
    Path f = Files.writeString(dir.resolve("secret.txt"), "text");
    try {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
    } catch (UnsupportedOperationException e) {
      Assumptions.abort("no POSIX permissions here");
    }
    Assumptions.assumeFalse(Files.isReadable(f), "running as a user who can read anything (root)");
    fails(f, "secret.txt", "cannot read");
  }

  @Test
  void readFailureNamesTheFile() throws IOException {
    Path notAFile = Files.createDirectories(dir.resolve("looks-like.txt"));
    DataException e = assertThrows(DataException.class, () -> TextFormats.readUtf8(notAFile));
    assertTrue(e.getMessage().contains("looks-like.txt") && e.getMessage().contains("cannot read"), e.getMessage());
    DataException s = assertThrows(DataException.class, () -> ShardFormat.read(notAFile, 256));
    assertTrue(s.getMessage().contains("looks-like.txt"), s.getMessage());
  }

  @Test
  void unreadableBecauseNotUtf8NamesTheByteOffset() throws IOException {
    Files.write(dir.resolve("latin1.txt"), "abc\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    fails(dir.resolve("latin1.txt"), "latin1.txt", "UTF-8", "byte offset 3");
  }

  @Test
  void badJsonlLinesNameFileAndLine() throws IOException {
    Files.writeString(dir.resolve("broken.jsonl"), "{\"text\": \"ok\"}\n\n{\"text\": \"unterminated}\n");
    fails(dir.resolve("broken.jsonl"), "broken.jsonl", "line 3", "not valid JSON");
    Files.writeString(dir.resolve("notext.jsonl"), "{\"text\": \"ok\"}\n{\"body\": \"x\"}\n");
    fails(dir.resolve("notext.jsonl"), "notext.jsonl", "line 2", "\"text\"");
    Files.writeString(dir.resolve("number.jsonl"), "{\"text\": 5}\n");
    fails(dir.resolve("number.jsonl"), "number.jsonl", "line 1", "not a string");
    Files.writeString(dir.resolve("array.jsonl"), "[1, 2]\n");
    fails(dir.resolve("array.jsonl"), "array.jsonl", "line 1", "object");
    Files.writeString(dir.resolve("trailing.jsonl"), "{\"text\": \"a\"} {\"text\": \"b\"}\n");
    fails(dir.resolve("trailing.jsonl"), "trailing.jsonl", "line 1");
  }

  @Test
  void badShardHeaders() throws IOException {
    int[] tokens = {1, 2, 3};
    fails(ShardFiles.write(dir.resolve("magic.bin"), 20240521, 1, 3, tokens, 0),
        "magic.bin", "magic 20240521", "offset 0");
    fails(ShardFiles.write(dir.resolve("v2.bin"), 20240520, 2, 3, tokens, 0), "v2.bin", "version 2", "offset 4");
    fails(ShardFiles.write(dir.resolve("count.bin"), 20240520, 1, 5, tokens, 0),
        "count.bin", "token count 5", "offset 8", "1030");
    fails(ShardFiles.write(dir.resolve("extra.bin"), 20240520, 1, 3, tokens, 1), "extra.bin", "1031");
    fails(ShardFiles.write(dir.resolve("zero.bin"), 20240520, 1, 0, new int[0], 0), "zero.bin", "empty shard");
    Files.write(dir.resolve("short.bin"), new byte[100]);
    fails(dir.resolve("short.bin"), "short.bin", "truncated", "100 bytes");
  }

  @Test
  void shardTokensBeyondTheVocabularyAreRejected() throws IOException {
    ShardFiles.write(dir.resolve("gpt2.bin"), new int[] {10, 20, 50256});
    fails(dir.resolve("gpt2.bin"), "gpt2.bin", "token 50256", "byte offset 1028", "vocabulary of 256");
  }

  @Test
  void badShardInsideAFolderIsNamed() throws IOException {
    Path shards = Files.createDirectories(dir.resolve("shards"));
    ShardFiles.write(shards.resolve("a.bin"), new int[] {1});
    ShardFiles.write(shards.resolve("b.bin"), 1, 1, 1, new int[] {1}, 0);
    fails(shards, "b.bin", "magic");
  }

  @Test
  void shardsMixedWithTextAndEmptyGlobs() throws IOException {
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    ShardFiles.write(mixed.resolve("a.bin"), new int[] {1});
    Files.writeString(mixed.resolve("notes.txt"), "x");
    fails(mixed, "mixes", "a.bin", "notes.txt");
    fails(dir.resolve("*.nothing"), "no data files match", "*.nothing");
    fails(dir.resolve("absent/*.bin"), "not found", "absent");
  }

  @Test
  void blankPathIsRejected() {
    assertThrows(DataException.class, () -> DataSources.open("  ", tok, 1));
  }
}
