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

  private static void push(PriorityQueue<long[]> heap, PairTable table, int[] sym, int left, int right) {
    long m = table.get(sym[left], sym[right]);
    if (m >= 0) {
      heap.add(new long[] {m >>> 32, left, (int) m});
    }
  }
}
