package dev.roundhouse.host.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's output is deterministic, compresses, round-trips, and the merge loop equals a naive reference. */
class BpeTrainerTest {

  @TempDir
  Path dir;

  static String text(long seed, int words) {
    String[] vocab = {"the", "cat", "sat", "on", "mat", "über", "naïve", "ʻokina", "数据", "🙂", "42", "1000",
        "  ", "\n", "don't", "WE'LL", "x=y+1;", "\t"};
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(r.nextInt(3) == 0 ? "" : " ").append(vocab[r.nextInt(vocab.length)]);
    }
    return sb.toString();
  }

  @Test
  void trainingIsDeterministicAndCompresses() throws Exception {
    List<String> texts = List.of(text(1, 30000));
    BpeTrainer.Result a = BpeTrainer.train(texts, 400, BpeTrainer.DEFAULT_SPECIALS);
    BpeTrainer.Result b = BpeTrainer.train(texts, 400, BpeTrainer.DEFAULT_SPECIALS);
    assertEquals(400, a.vocabSize());
    assertEquals(a.toTokenizerJson().toString(), b.toTokenizerJson().toString());
    Path file = dir.resolve("tokenizer.json");
    HfTokenizerJson.write(a.toTokenizerJson(), file);
    BpeTokenizer tok = HfTokenizerJson.load(file);
    assertEquals(400, tok.vocabSize());
    assertEquals(399, tok.addedToken("<|eos|>"));
    String heldOut = text(2, 2000);
    int[] ids = tok.encode(heldOut);
    assertEquals(heldOut, tok.decode(ids));
    int bytes = heldOut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    assertTrue(ids.length * 2 < bytes, "expected > 2 bytes per token, got " + (double) bytes / ids.length);
    assertArrayEquals(new int[] {398}, tok.encode("<|bos|>"));
  }

  /** tiktoken's original quadratic merge loop: lowest rank of a concatenation, leftmost on ties. */
  static List<byte[]> naive(byte[] piece, java.util.Map<String, Integer> ranks) {
    List<byte[]> parts = new ArrayList<>();
    for (byte x : piece) {
      parts.add(new byte[] {x});
    }
    while (true) {
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < parts.size(); i++) {
        Integer r = ranks.get(key(concat(parts.get(i), parts.get(i + 1))));
        if (r != null && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) {
        return parts;
      }
      parts.set(best, concat(parts.get(best), parts.remove(best + 1)));
    }
  }

  @Test
  void heapMergeEqualsNaiveTiktokenLoop() throws Exception {
    BpeTrainer.Result r = BpeTrainer.train(List.of(text(3, 20000)), 500, List.of());
    // as a tiktoken rank file: rank = id
    StringBuilder sb = new StringBuilder();
    java.util.Map<String, Integer> ranks = new java.util.HashMap<>();
    for (int id = 0; id < r.tokenBytes().length; id++) {
      sb.append(java.util.Base64.getEncoder().encodeToString(r.tokenBytes()[id])).append(' ').append(id).append('\n');
      ranks.put(key(r.tokenBytes()[id]), id);
    }
    Path file = dir.resolve("trained.tiktoken");
    Files.writeString(file, sb);
    BpeTokenizer tok = TiktokenFile.load(file, "cl100k_base");
    SplittableRandom rng = new SplittableRandom(9);
    for (int trial = 0; trial < 300; trial++) {
      String s = text(rng.nextLong(), 1 + rng.nextInt(40)).replace(" ", rng.nextBoolean() ? "" : " ");
      List<Integer> expected = new ArrayList<>();
      for (String piece : SplitPattern.compile(SplitPattern.CL100K).split(s, false)) {
        byte[] pb = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Integer whole = ranks.get(key(pb));
        if (whole != null) {
          expected.add(whole);
          continue;
        }
        for (byte[] part : naive(pb, ranks)) {
          expected.add(ranks.get(key(part)));
        }
      }
      assertEquals(expected.toString(), java.util.Arrays.toString(tok.encode(s)), s);
    }
  }

  private static String key(byte[] b) {
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] x, byte[] y) {
    byte[] o = java.util.Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, o, x.length, y.length);
    return o;
  }
}
