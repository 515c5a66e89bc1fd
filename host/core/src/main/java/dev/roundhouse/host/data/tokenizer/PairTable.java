package dev.roundhouse.host.data.tokenizer;

/**
 * Open-addressing hash map from a token pair (left, right) to a merge (rank, merged id), both packed
 * into longs. Built once, then read-only: safe to share between threads after construction.
 */
final class PairTable {

  private static final long EMPTY = -1L;

  private long[] keys;
  private long[] values;
  private int size;

  PairTable(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new long[cap];
    java.util.Arrays.fill(keys, EMPTY);
  }

  static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  /** Adds the merge unless the pair already has one (the first, lowest rank, wins). */
  void putIfAbsent(int left, int right, int rank, int merged) {
    if (size * 2 >= keys.length) {
      grow();
    }
    long k = key(left, right);
    int i = slot(k);
    while (keys[i] != EMPTY) {
      if (keys[i] == k) {
        return;
      }
      i = (i + 1) & (keys.length - 1);
    }
    keys[i] = k;
    values[i] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
    size++;
  }

  /** (rank << 32 | merged id), or -1 when the pair does not merge. */
  long get(int left, int right) {
    long k = key(left, right);
    int i = slot(k);
    while (keys[i] != EMPTY) {
      if (keys[i] == k) {
        return values[i];
      }
      i = (i + 1) & (keys.length - 1);
    }
    return -1L;
  }

  int size() {
    return size;
  }

  private int slot(long k) {
    long h = k * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & (keys.length - 1);
  }

  private void grow() {
    long[] oldK = keys;
    long[] oldV = values;
    keys = new long[oldK.length * 2];
    values = new long[oldK.length * 2];
    java.util.Arrays.fill(keys, EMPTY);
    size = 0;
    for (int i = 0; i < oldK.length; i++) {
      if (oldK[i] != EMPTY) {
        putIfAbsent((int) (oldK[i] >>> 32), (int) oldK[i], (int) (oldV[i] >>> 32), (int) oldV[i]);
      }
    }
  }
}
