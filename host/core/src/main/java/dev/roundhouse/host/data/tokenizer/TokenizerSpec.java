package dev.roundhouse.host.data.tokenizer;

import dev.roundhouse.host.data.ByteTokenizer;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The "tokenizer" section of a run config: {@code {"type": "byte"}} (the default),
 * {@code {"type": "bpe", "path": "tokenizer.json"}} or
 * {@code {"type": "tiktoken", "path": "cl100k_base.tiktoken", "pattern": "cl100k_base"}}.
 *
 * @param type byte, bpe or tiktoken; null means byte
 * @param path the tokenizer.json (bpe) or rank file (tiktoken); unused for byte
 * @param pattern tiktoken only: encoding name or split regex; null takes the file name
 */
public record TokenizerSpec(String type, String path, String pattern) {

  private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

  public TokenizerSpec {
    type = type == null ? "byte" : type;
  }

  /** The byte tokenizer. */
  public static TokenizerSpec defaults() {
    return new TokenizerSpec("byte", null, null);
  }

  /**
   * A spec from a command-line word: {@code byte}, a {@code .tiktoken} file or a tokenizer.json
   * (any other path).
   */
  public static TokenizerSpec parse(String spec) {
    if (spec == null || spec.equals("byte")) {
      return defaults();
    }
    return spec.endsWith(".tiktoken") ? new TokenizerSpec("tiktoken", spec, null) : new TokenizerSpec("bpe", spec, null);
  }

  /**
   * Loads the tokenizer (cached per file content hash, so repeated opens are cheap).
   *
   * @throws DataException naming the field or file on an unknown type, missing or unusable file
   */
  public Tokenizer open() {
    switch (type) {
      case "byte":
        return new ByteTokenizer();
      case "bpe":
      case "tiktoken":
        break;
      default:
        throw new DataException("tokenizer.type: unknown tokenizer type \"" + type + "\" (known: byte, bpe, tiktoken)");
    }
    if (path == null || path.isBlank()) {
      throw new DataException("tokenizer.path: a " + type + " tokenizer needs the path of its "
          + (type.equals("bpe") ? "tokenizer.json" : ".tiktoken rank file"));
    }
    Path file = Path.of(path);
    if (!Files.isRegularFile(file)) {
      throw new DataException("tokenizer.path: file not found: " + file + " (absolute: " + file.toAbsolutePath() + ")");
    }
    String key = type + "|" + pattern + "|" + hash();
    return CACHE.computeIfAbsent(key, k -> type.equals("bpe") ? HfTokenizerJson.load(file) : TiktokenFile.load(file, pattern));
  }

  /**
   * Identity of the tokenizer: "byte", or type + sha256 of the file (+ the pattern), so prepared data
   * and runs can check they use the same one.
   */
  public String hash() {
    if (type.equals("byte")) {
      return "byte";
    }
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return type + ":sha256:" + HexFormat.of().formatHex(md.digest()) + (pattern == null ? "" : ":" + pattern);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new DataException("tokenizer.path: cannot read " + path + ": " + e.getMessage());
    }
  }
}
