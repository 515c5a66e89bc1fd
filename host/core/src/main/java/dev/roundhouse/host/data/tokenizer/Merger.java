package dev.roundhouse.host.data.tokenizer;

import java.util.PriorityQueue;

/**
 * The BPE merge loop shared by tiktoken and Hugging Face BPE: repeatedly merge the adjacent pair of
 * lowest rank, the leftmost one on ties, until no pair merges. A heap of candidate merges keyed by
 * (rank, position) with stale entries skipped makes it O(n log n) in the piece length n.
 * Stateless; thread-safe.
 */
final class Merger {

  private Merger() {}

  /** Merges {@code ids} (the piece's initial symbols) with {@code table}; returns the final ids. */
  static int[] merge(int[] ids, PairTable table) {
    int n = ids.length;
    if (n < 2) {
      return ids.clone();
    }
    if (n == 2) {
      long m = table.get(ids[0], ids[1]);
      return m < 0 ? ids.clone() : new int[] {(int) m};
    }
    return n <= SHORT ? mergeShort(ids, table) : mergeWithHeap(ids, table);
  }

  /** {@link #merge} with the heap of candidate merges, for any length. */
  static int[] mergeWithHeap(int[] ids, PairTable table) {
    int n = ids.length;
    if (n < 2) {
      return ids.clone();
    }
    int[] sym = ids.clone();
    int[] prev = new int[n];
    int[] next = new int[n];
    boolean[] dead = new boolean[n];
    PriorityQueue<long[]> heap = new PriorityQueue<>(n, (a, b) -> a[0] != b[0]
        ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    for (int i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (int i = 0; i + 1 < n; i++) {
      push(heap, table, sym, i, i + 1);
    }
    int live = n;
    while (!heap.isEmpty()) {
      long[] top = heap.poll(); // {rank, pos, merged}
      int pos = (int) top[1];
      if (dead[pos] || next[pos] < 0) {
        continue;
      }
      int right = next[pos];
      long m = table.get(sym[pos], sym[right]);
      if (m < 0 || (m >>> 32) != top[0] || (int) m != (int) top[2]) {
        continue; // stale: a neighbour changed since this entry was pushed
      }
      sym[pos] = (int) m;
      dead[right] = true;
      live--;
      next[pos] = next[right];
      if (next[pos] >= 0) {
        prev[next[pos]] = pos;
        push(heap, table, sym, pos, next[pos]);
      }
      if (prev[pos] >= 0) {
        push(heap, table, sym, prev[pos], pos);
      }
    }
    int[] out = new int[live];
    int k = 0;
    for (int i = 0; i >= 0; i = next[i]) {
      out[k++] = sym[i];
    }
    return out;
  }

  /** Pieces up to this many symbols merge by rescanning the pairs (no heap, no allocation per step). */
  static final int SHORT = 24;

  /**
   * The same merges for a short piece: each step merges the adjacent pair of lowest rank (the
   * leftmost of equal ones: equal ranks are the same pair) found by a scan of the current symbols,
   * keeping each pair's (rank, merged id) from the table between steps.
   */
  static int[] mergeShort(int[] ids, PairTable table) {
    int n = ids.length;
    int[] sym = ids.clone();
    long[] pair = new long[n]; // pair[i]: the table entry of (sym[i], sym[i + 1]), -1 when none
    for (int i = 0; i + 1 < n; i++) {
      pair[i] = table.get(sym[i], sym[i + 1]);
    }
    while (n > 1) {
      int best = -1;
      long bestRank = Long.MAX_VALUE;
      for (int i = 0; i + 1 < n; i++) {
        if (pair[i] >= 0 && (pair[i] >>> 32) < bestRank) {
          bestRank = pair[i] >>> 32;
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      sym[best] = (int) pair[best];
      System.arraycopy(sym, best + 2, sym, best + 1, n - best - 2);
      System.arraycopy(pair, best + 2, pair, best + 1, n - best - 2);
      n--;
      if (best + 1 < n) {
        pair[best] = table.get(sym[best], sym[best + 1]);
      } else {
        pair[best] = -1;
      }
      if (best > 0) {
        pair[best - 1] = table.get(sym[best - 1], sym[best]);
      }
    }
    return java.util.Arrays.copyOf(sym, n);
  }

  private static void push(PriorityQueue<long[]> heap, PairTable table, int[] sym, int left, int right) {
    long m = table.get(sym[left], sym[right]);
    if (m >= 0) {
      heap.add(new long[] {m >>> 32, left, (int) m});
    }
  }
}
