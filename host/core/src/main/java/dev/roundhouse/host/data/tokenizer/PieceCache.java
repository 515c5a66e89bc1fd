package dev.roundhouse.host.data.tokenizer;

/**
 * One thread's cache of pre-token piece -> BPE ids, looked up by a region of the text without
 * copying it out (natural text repeats its words, so most pieces skip the substring and the merge
 * loop). Open addressing over the region's {@link String#hashCode()}-style hash; at most {@code
 * maxEntries} pieces, after which new pieces are merged every time. A cache of a pure function's
 * results: it changes speed, never ids. Not thread-safe: one per thread.
 */
final class PieceCache {

  private final int maxEntries;
  private String[] keys = new String[4096];
  private int[][] values = new int[4096][];
  private int[] hashes = new int[4096];
  private int size;

  PieceCache(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** The hash of {@code text[from, to)}: what {@code text.substring(from, to).hashCode()} gives. */
  static int hash(String text, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + text.charAt(i);
    }
    return h;
  }

  /** The ids cached for {@code text[from, to)} (hash {@code h}), or null. */
  int[] get(String text, int from, int to, int h) {
    int mask = keys.length - 1;
    int len = to - from;
    for (int i = spread(h) & mask; keys[i] != null; i = (i + 1) & mask) {
      if (hashes[i] == h && keys[i].length() == len && keys[i].regionMatches(0, text, from, len)) {
        return values[i];
      }
    }
    return null;
  }

  /** Caches {@code ids} for {@code piece} (hash {@code h}) unless full; the caller checked it is absent. */
  void put(String piece, int h, int[] ids) {
    if (size >= maxEntries) {
      return;
    }
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = spread(h) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = piece;
    values[i] = ids;
    hashes[i] = h;
    size++;
  }

  private static int spread(int h) {
    return (h ^ (h >>> 16)) * 0x9E3779B1;
  }

  private void grow() {
    String[] k = keys;
    int[][] v = values;
    int[] hs = hashes;
    keys = new String[k.length * 2];
    values = new int[k.length * 2][];
    hashes = new int[k.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < k.length; j++) {
      if (k[j] != null) {
        int i = spread(hs[j]) & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = k[j];
        values[i] = v[j];
        hashes[i] = hs[j];
      }
    }
  }
}
