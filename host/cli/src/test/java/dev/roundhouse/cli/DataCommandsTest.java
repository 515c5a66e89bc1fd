package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer train/encode/decode and data prepare through Main, with exit codes and messages. */
class DataCommandsTest {

  @TempDir
  Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void trainEncodeDecodeRoundTrip() throws Exception {
    Path text = dir.resolve("t.txt");
    Files.writeString(text, "the cat sat on the mat; the dog sat on the log. Ünïcödé 🙂\n".repeat(200));
    Result train = run("tokenizer", "train", "--vocab", "300", text.toString(), "--out", dir.resolve("tok").toString());
    assertEquals(0, train.code(), train.err());
    assertTrue(train.out().contains("bytes per token"), train.out());
    Path tj = dir.resolve("tok/tokenizer.json");
    Result enc = run("tokenizer", "encode", "--tokenizer", tj.toString(), text.toString());
    assertEquals(0, enc.code(), enc.err());
    Path ids = dir.resolve("ids.json");
    Files.writeString(ids, enc.out());
    Result dec = run("tokenizer", "decode", "--tokenizer", tj.toString(), ids.toString());
    assertEquals(Files.readString(text), dec.out());
  }

  @Test
  void prepareTheShippedExampleAndRefuseABadMixture() throws Exception {
    Path example = Path.of(System.getProperty("user.dir")).resolve("../../configs/data-mix-example.json").normalize();
    Result ok = run("data", "prepare", example.toString(), "--out", dir.resolve("mix").toString());
    assertEquals(0, ok.code(), ok.err());
    assertTrue(Files.isRegularFile(dir.resolve("mix/manifest.json")));
    assertTrue(ok.out().contains("english") && ok.out().contains("arithmetic"), ok.out());
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"sources\": [{\"name\": \"x\", \"synthetic\": \"code\", \"weight\": -1}]}");
    Result refused = run("data", "prepare", bad.toString(), "--out", dir.resolve("o").toString());
    assertEquals(ExitCodes.DATA, refused.code());
    assertTrue(refused.err().contains("source \"x\": weight must be > 0"), refused.err());
  }

  /**
   * configs/tiny-moe-bpe.json with its shipped tokenizer (configs/tokenizers/bpe-2k) on a small
   * version of configs/data-mix-bpe-example.json: prepares and validates; vocabSize follows the
   * tokenizer (2048).
   */
  @Test
  void shippedBpeConfigValidatesOnItsExampleMixture() throws Exception {
    Path configs = Path.of(System.getProperty("user.dir")).resolve("../../configs").normalize();
    Path tokenizer = configs.resolve("tokenizers/bpe-2k/tokenizer.json");
    String mix = Files.readString(configs.resolve("data-mix-bpe-example.json"))
        .replace("configs/tokenizers/bpe-2k/tokenizer.json", tokenizer.toString().replace("\\", "/"))
        .replaceAll("\"documents\": \\d+", "\"documents\": 60");
    Path small = dir.resolve("mix-bpe.json");
    Files.writeString(small, mix);
    Result prep = run("data", "prepare", small.toString(), "--out", dir.resolve("mix-bpe").toString());
    assertEquals(0, prep.code(), prep.err());
    Result valid = run("validate", configs.resolve("tiny-moe-bpe.json").toString(), "--set",
        "data.prepared=" + dir.resolve("mix-bpe"), "--set", "tokenizer.path=" + tokenizer, "--set", "model.seqLen=32",
        "--plugins", MainTest.plugins());
    assertEquals(0, valid.code(), valid.err());
    assertTrue(valid.out().contains("valid"), valid.out());
    assertTrue(Files.readString(tokenizer).contains("\"<|eos|>\""), "the shipped tokenizer has its EOS token");
    assertEquals(2048, dev.roundhouse.host.config.ConfigLoader.load(configs.resolve("tiny-moe-bpe.json"),
        java.util.List.of("tokenizer.path=" + tokenizer)).model().vocabSize());
  }
}
