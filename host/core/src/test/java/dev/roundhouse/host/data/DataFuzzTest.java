package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.host.config.DataSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the data loaders: valid .txt / .jsonl / .bin shard files are truncated, bit-flipped,
 * spliced with random bytes or replaced by garbage, then opened and split as a run would. Each case must load or
 * fail with a {@link DataException} whose message names the file; anything else thrown is a bug.
 */
class DataFuzzTest {
  static final int CASES = 600;
  static final long SEED = 20261122L;

  @TempDir Path dir;

  /** Cases run in the last execution, for docs/reliability.md. */
  static int casesRun;
  static int rejected;

  @Test
  void mutatedDataFilesLoadOrFailNamingTheFile() throws IOException {
    Random rnd = new Random(SEED);
    ByteTokenizer tok = new ByteTokenizer();
    List<String> bugs = new ArrayList<>();
    int rejectedHere = 0;
    for (int i = 0; i < CASES; i++) {
      String ext = List.of(".txt", ".jsonl", ".bin").get(rnd.nextInt(3));
      Path file = dir.resolve("case-" + i + ext);
      byte[] bytes = mutate(valid(ext, rnd), rnd);
      Files.write(file, bytes);
      try {
        Dataset d = new DataSpec(file.toString(), 0.1, null).open(tok, 1);
        d.train().size(); // a loaded dataset must be usable
      } catch (DataException e) {
        rejectedHere++;
        if (!e.getMessage().contains(file.getFileName().toString())) {
          bugs.add("case " + i + ": message does not name the file: " + e.getMessage());
        }
      } catch (RuntimeException | Error e) {
        bugs.add("case " + i + " (" + ext + ", " + bytes.length + " bytes): uncaught " + e);
      }
      Files.delete(file);
    }
    casesRun = CASES;
    rejected = rejectedHere;
    System.out.println("data fuzz: " + CASES + " cases, " + rejectedHere + " rejected with DataException, "
        + bugs.size() + " bugs");
    if (!bugs.isEmpty()) {
      fail(bugs.size() + " bad outcomes (seed " + SEED + "), first: " + bugs.subList(0, Math.min(5, bugs.size())));
    }
    assertTrue(rejectedHere > CASES / 10 && rejectedHere < CASES, "mutations should sometimes, not always, fail: "
        + rejectedHere);
  }

  private static byte[] valid(String ext, Random rnd) {
    switch (ext) {
      case ".txt":
        return "To be, or not to be, that is the question.\n".repeat(1 + rnd.nextInt(40))
            .getBytes(StandardCharsets.UTF_8);
      case ".jsonl": {
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = 1 + rnd.nextInt(30); i < n; i++) {
          s.append("{\"text\": \"document ").append(i).append(" with some words\"}\n");
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
      }
      default: {
        int n = 100 + rnd.nextInt(2000);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1024 + 2 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(20240520).putInt(1).putInt(n);
        b.position(1024);
        for (int i = 0; i < n; i++) {
          b.putShort((short) rnd.nextInt(256));
        }
        return b.array();
      }
    }
  }

  /** One to three random mutations: truncate, flip bits, overwrite/insert random bytes, garbage, empty. */
  static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in;
    for (int m = 0, n = 1 + rnd.nextInt(3); m < n; m++) {
      switch (rnd.nextInt(7)) {
        case 0 -> b = Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length + 1)); // truncate
        case 1 -> {
          for (int k = 0; k < 1 + rnd.nextInt(8) && b.length > 0; k++) {
            int at = rnd.nextInt(Math.min(b.length, rnd.nextBoolean() ? 16 : b.length)); // header-biased
            b[at] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        case 2 -> {
          byte[] junk = new byte[1 + rnd.nextInt(64)];
          rnd.nextBytes(junk);
          int at = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
          byte[] out = new byte[b.length + junk.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(junk, 0, out, at, junk.length);
          System.arraycopy(b, at, out, at + junk.length, b.length - at);
          b = out;
        }
        case 3 -> {
          b = new byte[rnd.nextInt(3000)];
          rnd.nextBytes(b);
        }
        case 4 -> b = new byte[0];
        case 5 -> {
          if (b.length >= 12) { // header fields set to extremes
            java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(4 * rnd.nextInt(3),
                List.of(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 20).get(rnd.nextInt(5)));
          }
        }
        default -> {
          String s = new String(b, StandardCharsets.ISO_8859_1);
          b = s.replace("\"text\"", rnd.nextBoolean() ? "\"txt\"" : "\"text\": [1], \"x\"")
              .replace("}", rnd.nextBoolean() ? "" : "}}").getBytes(StandardCharsets.ISO_8859_1);
        }
      }
    }
    return b;
  }
}
