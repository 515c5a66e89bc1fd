package dev.roundhouse.host.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The rescanning merge for short pieces gives what the heap merge gives: random merge tables over a
 * small alphabet (merges of merged ids, shared ranks, chains that merge a piece to one symbol) and
 * random pieces of every length the short path takes, and a little beyond.
 */
class MergerTest {

  @Test
  void shortMergeEqualsHeapMerge() {
    SplittableRandom r = new SplittableRandom(17);
    for (int table = 0; table < 200; table++) {
      int symbols = r.nextInt(2, 8);
      PairTable t = new PairTable(64);
      int next = symbols;
      for (int m = 0, merges = r.nextInt(1, 40); m < merges; m++) {
        int left = r.nextInt(next);
        int right = r.nextInt(next);
        t.putIfAbsent(left, right, r.nextInt(0, 30), next++);
      }
      for (int piece = 0; piece < 200; piece++) {
        int[] ids = new int[r.nextInt(0, Merger.SHORT + 4)];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = r.nextInt(symbols);
        }
        int[] expected = Merger.mergeWithHeap(ids, t);
        assertArrayEquals(expected, Merger.merge(ids, t), () -> "ids " + Arrays.toString(ids));
        if (ids.length >= 2) {
          assertArrayEquals(expected, Merger.mergeShort(ids, t), () -> "short, ids " + Arrays.toString(ids));
        }
      }
    }
  }
}
