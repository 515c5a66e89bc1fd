package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {

  /** Token i is i, so a window's tokens reveal its offset. */
  private static TokenStream counting(int n) {
    int[] t = new int[n];
    byte[] d = new byte[n];
    for (int i = 0; i < n; i++) {
      t[i] = i;
      d[i] = (byte) (i % 3);
    }
    return new TokenStream(t, d, List.of("a", "b", "c"), "counting");
  }

  private static void assertSameBatch(Batch a, Batch b) {
    assertArrayEquals(a.inputs(), b.inputs());
    assertArrayEquals(a.targets(), b.targets());
    assertArrayEquals(a.targetDomains(), b.targetDomains());
  }

  @Test
  void splitTakesTheHeadForTrainAndTheTailForVal() {
    Dataset d = Dataset.split(counting(1000), 0.1);
    assertEquals(900, d.train().size());
    assertEquals(100, d.val().size());
    assertEquals(899, d.train().tokens()[899]);
    assertEquals(900, d.val().tokens()[0]);
    assertEquals(900 % 3, d.val().domains()[0]);
    // same index as Python int(n * 0.9) for the tinyshakespeare byte count
    assertEquals(1003854, (int) Math.floor(1115394 * (1.0 - 0.1)));
    assertEquals(1000, Dataset.split(counting(1000), 0).train().size());
    assertThrows(DataException.class, () -> Dataset.split(counting(1), 0.1));
    assertEquals(1, Dataset.split(counting(5), 0.1).val().size());
    assertThrows(IllegalArgumentException.class, () -> Dataset.split(counting(100), 1.0));
  }

  @Test
  void targetsAreInputsShiftedByOneWithTheirDomains() {
    BatchLoader loader = new BatchLoader(counting(500), 4, 16, 7);
    for (int k = 0; k < 20; k++) {
      Batch b = loader.next();
      assertEquals(4, b.rows());
      assertEquals(16, b.seqLen());
      for (int row = 0; row < 4; row++) {
        int start = b.inputs()[row * 16];
        assertTrue(start >= 0 && start + 16 < 500, "window in range: " + start);
        for (int t = 0; t < 16; t++) {
          assertEquals(start + t, b.inputs()[row * 16 + t]);
          assertEquals(start + t + 1, b.targets()[row * 16 + t]);
          assertEquals((start + t + 1) % 3, b.targetDomains()[row * 16 + t]);
        }
      }
    }
  }

  @Test
  void offsetsCoverTheWholeValidRange() {
    BatchLoader loader = new BatchLoader(counting(20), 8, 4, 3);
    boolean[] seen = new boolean[16];
    for (int k = 0; k < 100; k++) {
      Batch b = loader.next();
      for (int row = 0; row < 8; row++) {
        seen[b.inputs()[row * 4]] = true;
      }
    }
    for (int off = 0; off < 16; off++) {
      assertTrue(seen[off], "offset " + off + " never sampled");
    }
  }

  @Test
  void sameSeedSameBatchesDifferentSeedDifferentBatches() {
    BatchLoader a = new BatchLoader(counting(10_000), 4, 8, 1337);
    BatchLoader b = new BatchLoader(counting(10_000), 4, 8, 1337);
    BatchLoader c = new BatchLoader(counting(10_000), 4, 8, 1338);
    boolean anyDiffer = false;
    int[] previous = null;
    boolean consecutiveDiffer = false;
    for (int k = 0; k < 10; k++) {
      Batch x = a.next();
      assertSameBatch(x, b.next());
      anyDiffer |= !Arrays.equals(x.inputs(), c.next().inputs());
      consecutiveDiffer |= previous != null && !Arrays.equals(previous, x.inputs());
      previous = x.inputs();
    }
    assertTrue(anyDiffer, "another seed gives other batches");
    assertTrue(consecutiveDiffer, "batches change from step to step");
  }

  @Test
  void restoredCursorContinuesWithIdenticalBatches() {
    BatchLoader run = new BatchLoader(counting(10_000), 4, 8, 99);
    for (int k = 0; k < 7; k++) {
      run.next();
    }
    Map<String, Long> saved = run.cursor().toMap();
    assertEquals(Map.of("seed", 99L, "step", 7L), saved);
    List<Batch> expected = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      expected.add(run.next());
    }
    BatchLoader resumed = new BatchLoader(counting(10_000), 4, 8, 99);
    resumed.restore(LoaderCursor.fromMap(saved));
    for (Batch e : expected) {
      assertSameBatch(e, resumed.next());
    }
    assertEquals(new LoaderCursor(99, 12), resumed.cursor());
    assertSameBatch(expected.get(0), run.batchAt(7));
  }

  @Test
  void cursorMapWithoutAKeyIsRejected() {
    DataException e = assertThrows(DataException.class, () -> LoaderCursor.fromMap(Map.of("seed", 1L)));
    assertTrue(e.getMessage().contains("\"step\""), e.getMessage());
  }

  @Test
  void validationBatchesAreFixedNonOverlappingWindows() {
    TokenStream val = counting(100);
    ValidationBatches v = new ValidationBatches(val, 4, 10);
    assertEquals(9, v.windowCount()); // (100 - 1) / 10
    assertEquals(3, v.batchCount()); // 4 + 4 + 1 rows
    List<Batch> all = v.batches(0);
    assertEquals(List.of(4, 4, 1), all.stream().map(Batch::rows).toList());
    int expectedTarget = 1;
    for (Batch b : all) {
      for (int i = 0; i < b.tokenCount(); i++) {
        assertEquals(expectedTarget - 1, b.inputs()[i]);
        assertEquals(expectedTarget, b.targets()[i], "every val token after the first is a target once");
        assertEquals(expectedTarget % 3, b.targetDomains()[i]);
        expectedTarget++;
      }
    }
    assertEquals(91, expectedTarget);
    assertSameBatch(all.get(1), new ValidationBatches(val, 4, 10).batch(1));
    assertEquals(2, v.batches(2).size());
    assertThrows(DataException.class, () -> new ValidationBatches(counting(10), 2, 10));
  }

  @Test
  void streamsShorterThanOneSequenceAreRejected() {
    DataException e = assertThrows(DataException.class, () -> new BatchLoader(counting(16), 2, 16, 1));
    assertTrue(e.getMessage().contains("counting"), e.getMessage());
    new BatchLoader(counting(17), 2, 16, 1).next();
  }

  @Test
  void batchesWithoutDomainsHaveNullTargetDomains() {
    BatchLoader loader = new BatchLoader(TokenStream.of(new int[50], "zeros"), 2, 4, 1);
    assertFalse(loader.next().targetDomains() != null);
  }
}
