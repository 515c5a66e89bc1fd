package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-source sampling: weights, exact resume from the cursor map, epoch limits. */
class MixtureSamplerTest {

  private static TokenStream stream(int[] lengths) {
    int total = 0;
    for (int l : lengths) {
      total += l;
    }
    int[] tokens = new int[total];
    byte[] domains = new byte[total];
    int at = 0;
    for (int s = 0; s < lengths.length; s++) {
      for (int i = 0; i < lengths[s]; i++) {
        tokens[at] = (s * 50 + i) % 250;
        domains[at++] = (byte) s;
      }
    }
    return new TokenStream(tokens, domains, List.of("a", "b", "c").subList(0, lengths.length), "test");
  }

  private static Mixture mix(int[] lengths, double[] weights, double[] epochs) {
    int[] offsets = new int[lengths.length];
    for (int s = 1; s < lengths.length; s++) {
      offsets[s] = offsets[s - 1] + lengths[s - 1];
    }
    return new Mixture(List.of("a", "b", "c").subList(0, lengths.length), offsets, lengths, weights, epochs,
        new long[lengths.length]);
  }

  @Test
  void weightsAreFollowedAndRowsStayInsideTheirSource() {
    int[] lengths = {50_000, 50_000, 50_000};
    BatchLoader l = new BatchLoader(stream(lengths), mix(lengths, new double[] {0.6, 0.3, 0.1},
        new double[] {100, 100, 100}), 8, 16, 5);
    long[] rows = new long[3];
    for (int i = 0; i < 500; i++) {
      Batch b = l.next();
      for (int r = 0; r < 8; r++) {
        byte d = b.targetDomains()[r * 16];
        for (int t = 0; t < 16; t++) {
          assertEquals(d, b.targetDomains()[r * 16 + t], "a row never crosses sources");
        }
        rows[d]++;
      }
    }
    assertEquals(0.6, rows[0] / 4000.0, 0.03);
    assertEquals(0.3, rows[1] / 4000.0, 0.03);
    assertEquals(0.1, rows[2] / 4000.0, 0.03);
  }

  @Test
  void restoringTheCursorContinuesExactly() {
    int[] lengths = {3000, 700, 2000};
    Mixture m = mix(lengths, new double[] {0.5, 0.25, 0.25}, new double[] {50, 50, 50});
    BatchLoader a = new BatchLoader(stream(lengths), m, 4, 8, 11);
    for (int i = 0; i < 37; i++) {
      a.next();
    }
    Map<String, Long> saved = a.cursor().toMap();
    assertTrue(saved.containsKey("source.2"));
    BatchLoader b = new BatchLoader(stream(lengths), m, 4, 8, 11);
    b.restore(LoaderCursor.fromMap(saved));
    for (int i = 0; i < 20; i++) {
      Batch x = a.next();
      Batch y = b.next();
      assertArrayEquals(x.inputs(), y.inputs());
      assertArrayEquals(x.targets(), y.targets());
    }
    assertArrayEquals(a.epochsSeen(), b.epochsSeen());
  }

  @Test
  void exhaustedSourcesStopBeingDrawn() {
    int[] lengths = {17, 10_000};
    // source a: (17 - 1) / 8 = 2 windows per epoch, 1 epoch allowed
    BatchLoader l = new BatchLoader(stream(lengths), mix(lengths, new double[] {0.9, 0.1}, new double[] {1, 100}),
        4, 8, 3);
    for (int i = 0; i < 20; i++) {
      l.next();
    }
    assertEquals(1.0, l.epochsSeen()[0], 1e-12);
    BatchLoader tiny = new BatchLoader(stream(lengths), mix(lengths, new double[] {0.5, 0.5}, new double[] {1, 0.001}),
        4, 8, 3);
    DataException e = assertThrows(DataException.class, () -> {
      for (int i = 0; i < 10; i++) {
        tiny.next();
      }
    });
    assertTrue(e.getMessage().contains("used up its allowed epochs"), e.getMessage());
  }
}
