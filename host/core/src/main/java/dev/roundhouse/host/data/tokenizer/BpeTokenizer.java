package dev.roundhouse.host.data.tokenizer;

import dev.roundhouse.host.data.ByteTokenizer;
import dev.roundhouse.host.data.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer: what both a tiktoken rank file and a byte-level BPE tokenizer.json
 * describe. Encoding: split out added (special) tokens, optionally NFC-normalise, split into pieces
 * with the pre-tokenizer regexes, take each piece's UTF-8 bytes as byte tokens and merge them with
 * {@link Merger} (lowest rank first). Never adds BOS/EOS by itself (a post-processor's job).
 * Decoding concatenates the tokens' bytes and decodes them as UTF-8 (an invalid sequence becomes
 * U+FFFD). Immutable and thread-safe once built (the piece caches, one per thread and one shared
 * behind them, hold a pure function's results: they change speed, never ids).
 */
public final class BpeTokenizer implements Tokenizer {

  private final String kind;
  private final byte[][] tokenBytes;
  private final int[] byteToken;
  private final PairTable merges;
  private final Map<String, Integer> wholePiece;
  private final List<SplitPattern> splits;
  private final boolean keepGaps;
  private final boolean nfc;
  private final Map<String, Integer> added;
  private final Pattern addedPattern;
  private final int vocabSize;
  /** Piece text -> its ids, one cache per thread: natural text repeats its words, so most pieces skip the merge loop. */
  private final ThreadLocal<PieceCache> pieceCache = ThreadLocal.withInitial(() -> new PieceCache(CACHE_ENTRIES));
  /** Behind the per-thread caches, shared by all threads: a piece is merged once, whichever thread meets it first. */
  private final java.util.concurrent.ConcurrentHashMap<String, int[]> sharedPieces =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** Most pieces cached (then new pieces are merged every time), and the longest cached piece in chars. */
  static final int CACHE_ENTRIES = 200_000;
  static final int CACHE_PIECE_CHARS = 48;

  /**
   * @param kind "tiktoken" or "bpe", for messages
   * @param tokenBytes bytes of every id (null for unused ids and added tokens)
   * @param merges pair -> (rank, merged id)
   * @param wholePiece when non-null, a piece whose bytes (as a Latin-1 string) are a token is that
   *     token without merging (tiktoken; Hugging Face "ignore_merges")
   * @param splits pre-tokenizer regexes applied in order, each to the pieces of the previous one
   * @param keepGaps keep the text between regex matches as pieces (Hugging Face) or drop it (tiktoken)
   * @param nfc NFC-normalise text between added tokens
   * @param added added/special token text -> id
   * @param matchAdded find added tokens in the text (Hugging Face, leftmost-longest); when false
   *     they only widen the vocabulary and decode (tiktoken's encode_ordinary)
   */
  BpeTokenizer(String kind, byte[][] tokenBytes, PairTable merges, Map<String, Integer> wholePiece,
      List<SplitPattern> splits, boolean keepGaps, boolean nfc, Map<String, Integer> added, boolean matchAdded) {
    this.kind = kind;
    this.tokenBytes = tokenBytes;
    this.merges = merges;
    this.wholePiece = wholePiece;
    this.splits = List.copyOf(splits);
    this.keepGaps = keepGaps;
    this.nfc = nfc;
    this.added = new LinkedHashMap<>(added);
    int max = tokenBytes.length - 1;
    for (int id : added.values()) {
      max = Math.max(max, id);
    }
    this.vocabSize = max + 1;
    this.byteToken = new int[256];
    Arrays.fill(byteToken, -1);
    for (int id = 0; id < tokenBytes.length; id++) {
      byte[] b = tokenBytes[id];
      if (b != null && b.length == 1 && byteToken[b[0] & 0xFF] < 0) {
        byteToken[b[0] & 0xFF] = id;
      }
    }
    this.addedPattern = added.isEmpty() || !matchAdded ? null : Pattern.compile(added.keySet().stream()
        .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
        .map(Pattern::quote).reduce((a, b) -> a + "|" + b).orElseThrow());
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  /** "tiktoken" or "bpe". */
  public String kind() {
    return kind;
  }

  /** Added/special tokens: text -> id. */
  public Map<String, Integer> addedTokens() {
    return java.util.Collections.unmodifiableMap(added);
  }

  /** Id of an added token, or -1. */
  public int addedToken(String text) {
    return added.getOrDefault(text, -1);
  }

  /** Bytes of token {@code id} (a copy); added tokens give their UTF-8 text. */
  public byte[] bytesOf(int id) {
    if (id >= 0 && id < tokenBytes.length && tokenBytes[id] != null) {
      return tokenBytes[id].clone();
    }
    for (Map.Entry<String, Integer> e : added.entrySet()) {
      if (e.getValue() == id) {
        return e.getKey().getBytes(StandardCharsets.UTF_8);
      }
    }
    throw new IllegalArgumentException("token " + id + " has no bytes in this " + kind + " vocabulary");
  }

  @Override
  public int[] encode(String text) {
    IntBuf out = new IntBuf(text.length() / 3 + 16);
    if (addedPattern == null) {
      encodeOrdinary(text, out);
      return out.toArray();
    }
    Matcher m = addedPattern.matcher(text);
    int last = 0;
    while (m.find()) {
      encodeOrdinary(text.substring(last, m.start()), out);
      out.add(added.get(m.group()));
      last = m.end();
    }
    encodeOrdinary(text.substring(last), out);
    return out.toArray();
  }

  private void encodeOrdinary(String text, IntBuf out) {
    if (text.isEmpty()) {
      return;
    }
    String t = nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
    PieceCache cache = pieceCache.get();
    if (splits.size() == 1) {
      splits.get(0).forEachPiece(t, keepGaps, (text1, from, to) -> encodeRegion(text1, from, to, cache, out));
      return;
    }
    List<String> pieces = List.of(t);
    for (SplitPattern p : splits) {
      List<String> next = new ArrayList<>();
      for (String piece : pieces) {
        next.addAll(p.split(piece, keepGaps));
      }
      pieces = next;
    }
    for (String piece : pieces) {
      encodeRegion(piece, 0, piece.length(), cache, out);
    }
  }

  /** Encodes the piece {@code text[from, to)} through the cache. */
  private void encodeRegion(String text, int from, int to, PieceCache cache, IntBuf out) {
    boolean cacheable = to - from <= CACHE_PIECE_CHARS;
    int h = cacheable ? PieceCache.hash(text, from, to) : 0;
    int[] cached = cacheable ? cache.get(text, from, to, h) : null;
    if (cached != null) {
      out.addAll(cached);
      return;
    }
    String piece = from == 0 && to == text.length() ? text : text.substring(from, to);
    int[] got = cacheable ? sharedPieces.get(piece) : null;
    if (got == null) {
      IntBuf ids = new IntBuf(piece.length() + 1);
      encodePiece(piece.getBytes(StandardCharsets.UTF_8), ids);
      got = ids.toArray();
      if (cacheable && sharedPieces.size() < CACHE_ENTRIES) {
        sharedPieces.putIfAbsent(piece, got);
      }
    }
    if (cacheable) {
      cache.put(piece, h, got);
    }
    out.addAll(got);
  }

  private void encodePiece(byte[] bytes, IntBuf out) {
    if (wholePiece != null) {
      Integer id = wholePiece.get(new String(bytes, StandardCharsets.ISO_8859_1));
      if (id != null) {
        out.add(id);
        return;
      }
    }
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = byteToken[bytes[i] & 0xFF];
      if (ids[i] < 0) {
        throw new IllegalStateException("byte 0x" + Integer.toHexString(bytes[i] & 0xFF)
            + " has no token in this " + kind + " vocabulary");
      }
    }
    for (int id : Merger.merge(ids, merges)) {
      out.add(id);
    }
  }

  @Override
  public String decode(int[] tokens) {
    ByteBuf bytes = new ByteBuf(tokens.length * 4);
    Map<Integer, byte[]> addedBytes = new HashMap<>();
    for (int i = 0; i < tokens.length; i++) {
      int id = tokens[i];
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException("token " + id + " at position " + i + " is outside the " + kind
            + " vocabulary [0, " + vocabSize + ")");
      }
      byte[] b = id < tokenBytes.length ? tokenBytes[id] : null;
      if (b == null) {
        b = addedBytes.computeIfAbsent(id, this::bytesOf);
      }
      bytes.add(b);
    }
    int[] asInts = new int[bytes.size];
    for (int i = 0; i < bytes.size; i++) {
      asInts[i] = bytes.data[i] & 0xFF;
    }
    return new ByteTokenizer().decode(asInts);
  }

  @Override
  public String toString() {
    return kind + " tokenizer, vocab " + vocabSize + ", " + merges.size() + " merges, " + added.size()
        + " added tokens";
  }

  private static final class IntBuf {
    int[] data;
    int size;

    IntBuf(int cap) {
      data = new int[Math.max(16, cap)];
    }

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }

    void addAll(int[] v) {
      if (size + v.length > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, size + v.length));
      }
      System.arraycopy(v, 0, data, size, v.length);
      size += v.length;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }

  private static final class ByteBuf {
    byte[] data;
    int size;

    ByteBuf(int cap) {
      data = new byte[Math.max(16, cap)];
    }

    void add(byte[] b) {
      if (size + b.length > data.length) {
        data = Arrays.copyOf(data, Math.max(size + b.length, data.length * 2));
      }
      System.arraycopy(b, 0, data, size, b.length);
      size += b.length;
    }
  }
}
