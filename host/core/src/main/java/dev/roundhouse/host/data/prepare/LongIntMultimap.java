package dev.roundhouse.host.data.prepare;

import java.util.Arrays;

/**
 * A multimap from long keys to int values in primitive arrays (the LSH buckets of {@link Dedup}):
 * an open-addressing table from key to its newest entry, and per entry its value and the entry
 * added before it under the same key. No removal. Not thread-safe.
 */
final class LongIntMultimap {

  private long[] keys = new long[1024];
  private int[] heads = new int[1024]; // entry index + 1; 0 marks an empty slot
  private int used;
  private int[] values = new int[1024];
  private int[] nexts = new int[1024];
  private int entries;

  /** Adds {@code value} under {@code key}. */
  void add(long key, int value) {
    if (2 * (used + 1) > keys.length) {
      rehash(keys.length * 2);
    }
    if (entries == values.length) {
      values = Arrays.copyOf(values, 2 * entries);
      nexts = Arrays.copyOf(nexts, 2 * entries);
    }
    int slot = slot(keys, heads, key);
    if (heads[slot] == 0) {
      keys[slot] = key;
      used++;
    }
    values[entries] = value;
    nexts[entries] = heads[slot] - 1;
    heads[slot] = ++entries;
  }

  /** The newest entry under {@code key}, or -1. */
  int first(long key) {
    return heads[slot(keys, heads, key)] - 1;
  }

  /** The entry added before {@code entry} under the same key, or -1. */
  int next(int entry) {
    return nexts[entry];
  }

  /** The value of {@code entry}. */
  int value(int entry) {
    return values[entry];
  }

  private static int slot(long[] keys, int[] heads, long key) {
    int mask = keys.length - 1;
    int i = (int) (Dedup.fmix(key) & mask);
    while (heads[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private void rehash(int size) {
    long[] k2 = new long[size];
    int[] h2 = new int[size];
    for (int i = 0; i < keys.length; i++) {
      if (heads[i] != 0) {
        int s = slot(k2, h2, keys[i]);
        k2[s] = keys[i];
        h2[s] = heads[i];
      }
    }
    keys = k2;
    heads = h2;
  }
}
