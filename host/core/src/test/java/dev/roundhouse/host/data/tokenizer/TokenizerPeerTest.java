package dev.roundhouse.host.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.data.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactness against the JavaScript reference encoders (host/bench/scripts/tokenizer-peer): Hugging Face
 * tokenizers.js for tokenizer.json files, js-tiktoken for rank files. Every case of corpus.json
 * (English, code, numbers, whitespace runs, many scripts, emoji) must give identical ids, and both
 * sides must decode them back to the input. Skipped when node or the peer's node_modules are absent.
 */
class TokenizerPeerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<String> cases;
  private static List<String> bpeOnly;

  @TempDir
  static Path dir;

  @BeforeAll
  static void corpus() throws IOException {
    PeerProcess.assumeAvailable();
    try (InputStream in = TokenizerPeerTest.class.getResourceAsStream("corpus.json")) {
      JsonNode root = JSON.readTree(in);
      cases = new ArrayList<>();
      root.get("cases").forEach(n -> cases.add(n.asText()));
      bpeOnly = new ArrayList<>();
      root.get("bpeOnly").forEach(n -> bpeOnly.add(n.asText()));
    }
  }

  @Test
  void tiktokenCl100kMatchesJsTiktoken() throws IOException {
    Path file = PeerProcess.writeTiktoken("cl100k_base", dir);
    compare("tiktoken", file, TiktokenFile.load(file, null), cases);
  }

  @Test
  void tiktokenO200kMatchesJsTiktoken() throws IOException {
    Path file = PeerProcess.writeTiktoken("o200k_base", dir);
    compare("tiktoken", file, TiktokenFile.load(file, null), cases);
  }

  @Test
  void trainedTokenizerJsonMatchesTokenizersJs() throws IOException {
    ObjectNode json = trained().toTokenizerJson();
    assertTrue(json.get("model").get("merges").size() > 300, "a real merge table, not only bytes");
    compare("bpe", write(json, "trained.json"), null, all());
  }

  @Test
  void llama3StyleIgnoreMergesMatches() throws IOException {
    ObjectNode json = trained().toTokenizerJson();
    ((ObjectNode) json.get("model")).put("ignore_merges", true);
    compare("bpe", write(json, "ignore-merges.json"), null, all());
  }

  @Test
  void gpt2StyleByteLevelRegexMatches() throws IOException {
    ObjectNode json = trained().toTokenizerJson();
    json.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", true);
    compare("bpe", write(json, "gpt2-style.json"), null, all());
  }

  @Test
  void qwenStyleNfcNormalizerMatches() throws IOException {
    ObjectNode json = trained().toTokenizerJson();
    json.putObject("normalizer").put("type", "NFC");
    ((ObjectNode) json.get("pre_tokenizer").get("pretokenizers").get(0).get("pattern")).put("Regex",
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    Path file = write(json, "qwen-style.json");
    List<String> inputs = all().stream().filter(s -> s.equals(java.text.Normalizer.normalize(s,
        java.text.Normalizer.Form.NFC))).toList(); // NFC changes the text, so decode(encode(x)) != x otherwise
    compare("bpe", file, null, inputs);
  }

  @Test
  void byteTokenizerJsonMatchesByteTokenizer() throws IOException {
    Path file = write(HfTokenizerJson.forByteTokenizer(), "byte.json");
    Tokenizer fromJson = HfTokenizerJson.load(file);
    for (String s : all()) {
      assertEquals(Arrays.toString(new dev.roundhouse.host.data.ByteTokenizer().encode(s)),
          Arrays.toString(fromJson.encode(s)), s);
    }
    compare("bpe", file, fromJson, all());
  }

  private static List<String> all() {
    List<String> out = new ArrayList<>(cases);
    out.addAll(bpeOnly);
    return out;
  }

  /** A small vocabulary trained on the corpus plus generated multilingual text (deterministic). */
  static BpeTrainer.Result trained() {
    List<String> texts = new ArrayList<>(cases);
    StringBuilder sb = new StringBuilder();
    SplittableRandom r = new SplittableRandom(7);
    String[] words = {"the", "and", "tokenizer", "merge", "Straße", "мир", "世界", "😀", "123", "  ", "\n",
        "def", "return", "café", "नमस्ते", "'s", "'LL", "{\"id\":", "<p>", "x+y=z"};
    for (int i = 0; i < 20000; i++) {
      sb.append(r.nextInt(4) == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
    }
    texts.add(sb.toString());
    return BpeTrainer.train(texts, 700, BpeTrainer.DEFAULT_SPECIALS);
  }

  private static Path write(ObjectNode json, String name) throws IOException {
    Path file = dir.resolve(name);
    HfTokenizerJson.write(json, file);
    return file;
  }

  private static void compare(String kind, Path file, Tokenizer mine, List<String> inputs) throws IOException {
    Tokenizer tok = mine != null ? mine : HfTokenizerJson.load(file);
    Path casesFile = dir.resolve(file.getFileName() + ".cases.json");
    JSON.writeValue(casesFile.toFile(), inputs);
    JsonNode peer = PeerProcess.encode(kind, file, casesFile);
    assertEquals(inputs.size(), peer.size());
    long tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String s = inputs.get(i);
      int[] ids = tok.encode(s);
      int[] expected = JSON.convertValue(peer.get(i).get("ids"), int[].class);
      assertEquals(Arrays.toString(expected), Arrays.toString(ids), kind + " " + file.getFileName() + " case " + i
          + ": " + s);
      assertEquals(s, tok.decode(ids), "decode(encode(x)) case " + i);
      assertEquals(s, peer.get(i).get("decoded").asText(), "peer decode case " + i);
      tokens += ids.length;
    }
    assertTrue(tokens > 0);
  }
}
