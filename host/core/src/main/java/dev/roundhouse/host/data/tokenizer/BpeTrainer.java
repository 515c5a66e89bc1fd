package dev.roundhouse.host.data.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Trains a byte-level BPE vocabulary: the text is split into pieces with the GPT-4 (cl100k) pattern,
 * identical pieces are counted once with their frequency, and the most frequent adjacent pair is
 * merged until the vocabulary (256 bytes + merges + special tokens) reaches the requested size. Ties
 * go to the smallest (left id, right id), so the result is a pure function of the text. Pair counts
 * are updated incrementally (only the words holding the merged pair are revisited) and a heap with
 * lazily refreshed counts picks the next pair. Pre-splitting runs on all cores in fixed 1 MB chunks
 * (the chunking, not the thread count, decides the pieces). Not thread-safe; one training per instance.
 */
public final class BpeTrainer {

  /** Special tokens added after the merges, in this order. */
  public static final List<String> DEFAULT_SPECIALS = List.of("<|bos|>", "<|eos|>");

  private static final int CHUNK_CHARS = 1 << 20;

  /** A trained vocabulary. */
  public record Result(byte[][] tokenBytes, List<int[]> merges, Map<String, Integer> specials, String pattern) {

    /** Total vocabulary size (byte tokens, merged tokens, specials). */
    public int vocabSize() {
      return tokenBytes.length + specials.size();
    }

    /** As a Hugging Face tokenizer.json. */
    public ObjectNode toTokenizerJson() {
      return HfTokenizerJson.build(tokenBytes, merges, pattern, specials);
    }
  }

  /**
   * Trains on {@code texts}.
   *
   * @param vocabSize total vocabulary size wanted, at least 256 + specials
   * @param specials special tokens, given the last ids
   * @throws IllegalArgumentException if vocabSize is too small
   */
  public static Result train(List<String> texts, int vocabSize, List<String> specials) {
    if (vocabSize < 256 + specials.size()) {
      throw new IllegalArgumentException("--vocab " + vocabSize + " is below 256 byte tokens + "
          + specials.size() + " special tokens");
    }
    Map<String, Long> pieceCounts = countPieces(texts);
    int nWords = pieceCounts.size();
    int[][] words = new int[nWords][];
    long[] counts = new long[nWords];
    int w = 0;
    for (Map.Entry<String, Long> e : pieceCounts.entrySet()) { // TreeMap: sorted, deterministic
      byte[] b = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
      int[] sym = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        sym[i] = b[i] & 0xFF;
      }
      words[w] = sym;
      counts[w++] = e.getValue();
    }
    List<byte[]> vocab = new ArrayList<>();
    Map<String, Integer> byBytes = new HashMap<>();
    for (int b = 0; b < 256; b++) {
      vocab.add(new byte[] {(byte) b});
      byBytes.put(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1), b);
    }
    LongLongMap pairCount = new LongLongMap(1 << 16);
    Map<Long, IntList> where = new HashMap<>();
    for (w = 0; w < nWords; w++) {
      int[] s = words[w];
      for (int i = 0; i + 1 < s.length; i++) {
        long k = PairTable.key(s[i], s[i + 1]);
        pairCount.add(k, counts[w]);
        where.computeIfAbsent(k, x -> new IntList()).add(w);
      }
    }
    PriorityQueue<long[]> heap = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0])
        : Long.compare(x[1], y[1]));
    pairCount.forEach((k, c) -> heap.add(new long[] {c, k}));
    List<int[]> merges = new ArrayList<>();
    int target = vocabSize - specials.size();
    while (vocab.size() < target && !heap.isEmpty()) {
      long[] top = heap.poll();
      long actual = pairCount.get(top[1]);
      if (actual != top[0]) {
        if (actual > 0) {
          heap.add(new long[] {actual, top[1]});
        }
        continue;
      }
      int a = (int) (top[1] >>> 32);
      int b = (int) top[1];
      byte[] ab = concat(vocab.get(a), vocab.get(b));
      String abKey = new String(ab, StandardCharsets.ISO_8859_1);
      Integer existing = byBytes.get(abKey);
      int merged = existing != null ? existing : vocab.size();
      if (existing == null) {
        vocab.add(ab);
        byBytes.put(abKey, merged);
      }
      merges.add(new int[] {a, b});
      IntList holders = where.remove(top[1]);
      int[] ws = holders == null ? new int[0] : holders.sortedUnique();
      List<Long> grown = new ArrayList<>();
      for (int word : ws) {
        int[] s = words[word];
        if (!containsPair(s, a, b)) {
          continue;
        }
        long c = counts[word];
        for (int i = 0; i + 1 < s.length; i++) {
          pairCount.add(PairTable.key(s[i], s[i + 1]), -c);
        }
        int[] t = new int[s.length];
        int n = 0;
        for (int i = 0; i < s.length; i++) {
          if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
            t[n++] = merged;
            i++;
          } else {
            t[n++] = s[i];
          }
        }
        t = Arrays.copyOf(t, n);
        words[word] = t;
        for (int i = 0; i + 1 < n; i++) {
          long k = PairTable.key(t[i], t[i + 1]);
          pairCount.add(k, c);
          if (t[i] == merged || t[i + 1] == merged) {
            where.computeIfAbsent(k, x -> new IntList()).add(word);
            grown.add(k);
          }
        }
      }
      for (long k : grown.stream().distinct().toList()) {
        heap.add(new long[] {pairCount.get(k), k});
      }
    }
    Map<String, Integer> special = new LinkedHashMap<>();
    for (int i = 0; i < specials.size(); i++) {
      special.put(specials.get(i), vocab.size() + i);
    }
    return new Result(vocab.toArray(new byte[0][]), merges, special, SplitPattern.CL100K);
  }

  /** Pre-split pieces (as Latin-1 strings of their UTF-8 bytes) with their counts, sorted. */
  static Map<String, Long> countPieces(List<String> texts) {
    List<String> chunks = new ArrayList<>();
    for (String t : texts) {
      for (int start = 0; start < t.length(); ) {
        int end = Math.min(t.length(), start + CHUNK_CHARS);
        int nl = end < t.length() ? t.indexOf('\n', end) : -1;
        end = nl < 0 ? (end < t.length() ? t.length() : end) : nl + 1;
        chunks.add(t.substring(start, end));
        start = end;
      }
    }
    SplitPattern split = SplitPattern.compile(SplitPattern.CL100K);
    List<Map<String, Long>> partial = IntStream.range(0, chunks.size()).parallel().mapToObj(i -> {
      Map<String, Long> m = new HashMap<>();
      for (String piece : split.split(chunks.get(i), true)) {
        m.merge(new String(piece.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1), 1L, Long::sum);
      }
      return m;
    }).toList();
    Map<String, Long> all = new TreeMap<>();
    for (Map<String, Long> m : partial) {
      m.forEach((k, v) -> all.merge(k, v, Long::sum));
    }
    return all;
  }

  private static boolean containsPair(int[] s, int a, int b) {
    for (int i = 0; i + 1 < s.length; i++) {
      if (s[i] == a && s[i + 1] == b) {
        return true;
      }
    }
    return false;
  }

  private static byte[] concat(byte[] x, byte[] y) {
    byte[] out = Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, out, x.length, y.length);
    return out;
  }

  /** Growable int list. */
  private static final class IntList {
    int[] data = new int[4];
    int size;

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    int[] sortedUnique() {
      int[] s = Arrays.copyOf(data, size);
      Arrays.sort(s);
      return Arrays.stream(s).distinct().toArray();
    }
  }

  /** Open-addressing long -> long map with add; no removal (a count may fall to 0). */
  private static final class LongLongMap {
    private long[] keys;
    private long[] vals;
    private boolean[] used;
    private int size;

    LongLongMap(int cap) {
      keys = new long[cap];
      vals = new long[cap];
      used = new boolean[cap];
    }

    void add(long k, long delta) {
      if (size * 2 >= keys.length) {
        grow();
      }
      int i = slot(k);
      while (used[i] && keys[i] != k) {
        i = (i + 1) & (keys.length - 1);
      }
      if (!used[i]) {
        used[i] = true;
        keys[i] = k;
        size++;
      }
      vals[i] += delta;
    }

    long get(long k) {
      int i = slot(k);
      while (used[i]) {
        if (keys[i] == k) {
          return vals[i];
        }
        i = (i + 1) & (keys.length - 1);
      }
      return 0;
    }

    void forEach(java.util.function.BiConsumer<Long, Long> f) {
      for (int i = 0; i < keys.length; i++) {
        if (used[i] && vals[i] > 0) {
          f.accept(keys[i], vals[i]);
        }
      }
    }

    private int slot(long k) {
      return (int) ((k * 0x9E3779B97F4A7C15L) >>> 40) & (keys.length - 1);
    }

    private void grow() {
      long[] ok = keys;
      long[] ov = vals;
      boolean[] ou = used;
      keys = new long[ok.length * 2];
      vals = new long[ok.length * 2];
      used = new boolean[ok.length * 2];
      size = 0;
      for (int i = 0; i < ok.length; i++) {
        if (ou[i]) {
          add(ok[i], ov[i]);
        }
      }
    }
  }
}
