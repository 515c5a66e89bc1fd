package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Loads the shared tinyshakespeare file when present (skipped otherwise). */
class TinyShakespeareTest {

  /**
   * The file under the {@code roundhouse.shared.dir} system property (set by surefire), else under a
   * {@code shared/} folder next to any ancestor of the working directory (for git worktrees).
   */
  static Path locate() {
    String rel = "data/tinyshakespeare.txt";
    String prop = System.getProperty("roundhouse.shared.dir");
    if (prop != null && Files.isRegularFile(Path.of(prop, rel))) {
      return Path.of(prop, rel);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("shared").resolve(rel))) {
        return p.resolve("shared").resolve(rel);
      }
    }
    return null;
  }

  @Test
  void loadsAndSplitsLikeNanoGpt() throws IOException {
    Path file = locate();
    Assumptions.assumeTrue(file != null, "shared/data/tinyshakespeare.txt not found");
    TokenStream all = DataSources.open(file.toString(), new ByteTokenizer(), 1337);
    long bytes = Files.size(file);
    assertEquals(bytes, all.size(), "one token per byte");
    assertTrue(new ByteTokenizer().decode(java.util.Arrays.copyOf(all.tokens(), 14)).startsWith("First Citizen"));
    Dataset d = Dataset.split(all, 0.1);
    assertEquals((int) (bytes * 0.9), d.train().size());
    assertEquals(bytes - (int) (bytes * 0.9), d.val().size());
    ValidationBatches val = new ValidationBatches(d.val(), 16, 256);
    assertEquals((d.val().size() - 1) / 256, val.windowCount());
    Batch b = new BatchLoader(d.train(), 16, 256, 1337).next();
    assertEquals(16 * 256, b.tokenCount());
  }
}
