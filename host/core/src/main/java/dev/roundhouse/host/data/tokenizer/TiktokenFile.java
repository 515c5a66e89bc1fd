package dev.roundhouse.host.data.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tiktoken rank files ({@code .tiktoken}: one "base64-token rank" pair per line) into a
 * {@link BpeTokenizer} that encodes like tiktoken's {@code encode_ordinary}: special-token text in the
 * input is ordinary text. The split pattern is named ({@link SplitPattern#NAMED}) or given as a regex;
 * the encoding name also supplies the special tokens of the known encodings.
 */
public final class TiktokenFile {

  /** Special tokens of the known encodings. */
  public static final Map<String, Map<String, Integer>> SPECIAL = Map.of(
      "cl100k_base", Map.of("<|endoftext|>", 100257, "<|fim_prefix|>", 100258, "<|fim_middle|>", 100259,
          "<|fim_suffix|>", 100260, "<|endofprompt|>", 100276),
      "o200k_base", Map.of("<|endoftext|>", 199999, "<|endofprompt|>", 200018),
      "r50k_base", Map.of("<|endoftext|>", 50256),
      "p50k_base", Map.of("<|endoftext|>", 50256));

  private TiktokenFile() {}

  /**
   * Loads a rank file.
   *
   * @param file the {@code .tiktoken} file
   * @param pattern an encoding name ({@code cl100k_base}, {@code o200k_base}, ...) or a regex; null
   *     to take the name from the file name (e.g. {@code cl100k_base.tiktoken})
   * @throws TokenizerFileException naming the file and line, or the unknown encoding
   */
  public static BpeTokenizer load(Path file, String pattern) {
    String name = file.getFileName().toString().replaceFirst("\\.tiktoken$", "");
    String patternOrName = pattern != null ? pattern : name;
    String regex = SplitPattern.NAMED.get(patternOrName);
    if (regex == null) {
      if (pattern == null || !looksLikeRegex(pattern)) {
        throw new TokenizerFileException(file + ": unknown encoding \"" + patternOrName
            + "\"; name one of " + new java.util.TreeSet<>(SplitPattern.NAMED.keySet())
            + " in tokenizer.pattern, or give the split regex");
      }
      regex = pattern;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new TokenizerFileException(file + ": cannot read tiktoken file: " + e);
    }
    Map<String, Integer> ranks = new HashMap<>(lines.size() * 2);
    int maxRank = -1;
    int lineNo = 0;
    byte[][] parsed = new byte[lines.size()][];
    int[] parsedRank = new int[lines.size()];
    int count = 0;
    for (String line : lines) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      int sp = line.indexOf(' ');
      try {
        byte[] bytes = Base64.getDecoder().decode(line.substring(0, sp));
        int rank = Integer.parseInt(line.substring(sp + 1).trim());
        if (rank < 0 || bytes.length == 0) {
          throw new IllegalArgumentException("negative rank or empty token");
        }
        parsed[count] = bytes;
        parsedRank[count++] = rank;
        maxRank = Math.max(maxRank, rank);
      } catch (RuntimeException e) {
        throw new TokenizerFileException(file + ": line " + lineNo + " is not \"base64 rank\": "
            + (line.length() > 60 ? line.substring(0, 60) + "..." : line));
      }
    }
    if (count == 0) {
      throw new TokenizerFileException(file + ": no ranks (empty tiktoken file)");
    }
    byte[][] tokenBytes = new byte[maxRank + 1][];
    for (int i = 0; i < count; i++) {
      if (tokenBytes[parsedRank[i]] != null) {
        throw new TokenizerFileException(file + ": rank " + parsedRank[i] + " appears twice");
      }
      tokenBytes[parsedRank[i]] = parsed[i];
      ranks.put(new String(parsed[i], StandardCharsets.ISO_8859_1), parsedRank[i]);
    }
    for (int b = 0; b < 256; b++) {
      if (!ranks.containsKey(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1))) {
        throw new TokenizerFileException(file + ": byte 0x" + Integer.toHexString(b)
            + " has no rank (a tiktoken file must rank all 256 single bytes)");
      }
    }
    // tiktoken merges the adjacent parts whose concatenation has the lowest rank: every split of a
    // token into two tokens is a pair that merges into it, with the token's rank.
    PairTable table = new PairTable(count * 4);
    for (int id = 0; id <= maxRank; id++) {
      byte[] t = tokenBytes[id];
      if (t == null || t.length < 2) {
        continue;
      }
      String s = new String(t, StandardCharsets.ISO_8859_1);
      for (int k = 1; k < t.length; k++) {
        Integer a = ranks.get(s.substring(0, k));
        Integer b = ranks.get(s.substring(k));
        if (a != null && b != null) {
          table.putIfAbsent(a, b, id, id);
        }
      }
    }
    Map<String, Integer> special = SPECIAL.getOrDefault(patternOrName, Map.of());
    SplitPattern split;
    try {
      split = SplitPattern.compile(regex);
    } catch (IllegalArgumentException e) {
      throw new TokenizerFileException(file + ": " + e.getMessage());
    }
    return new BpeTokenizer("tiktoken", tokenBytes, table, ranks, List.of(split), false, false, special, false);
  }

  private static boolean looksLikeRegex(String s) {
    return s.chars().anyMatch(c -> "\\|[]()?*+".indexOf(c) >= 0);
  }
}
