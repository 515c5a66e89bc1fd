package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unusable data fails RunFactory.create with a DataException naming the file; no run directory appears. */
class DataErrorsBeforeTrainingTest {
  @TempDir Path tmp;

  void assertRefused(PluginRegistry reg, Path data, String... fragments) throws Exception {
    Path runs = tmp.resolve("runs");
    DataException e = assertThrows(DataException.class,
        () -> RunFactory.create(TinyRuns.tiny("data.path=" + data), reg, runs, new EventBus()));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
    }
    if (Files.exists(runs)) {
      try (Stream<Path> s = Files.list(runs)) {
        assertEquals(0, s.count(), "no run directory may be created");
      }
    }
  }

  @Test
  void missingFile() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Path missing = tmp.resolve("no-such-corpus.txt");
      assertRefused(reg, missing, missing.toString());
    }
  }

  @Test
  void emptyFileAndTooLittleData() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Path empty = tmp.resolve("empty.txt");
      Files.writeString(empty, "");
      assertRefused(reg, empty, "empty.txt");
      Path tiny = tmp.resolve("short.txt");
      Files.writeString(tiny, "only a few bytes"); // seqLen 16 needs 17 tokens in train and val
      assertRefused(reg, tiny, "short.txt", "model.seqLen=16");
    }
  }

  @Test
  void tokensOutsideTheVocabulary() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Path text = tmp.resolve("text.txt");
      Files.writeString(text, "z".repeat(2000)); // byte 'z' = 122 does not fit vocabSize 100
      Path runs = tmp.resolve("runs");
      DataException e = assertThrows(DataException.class,
          () -> RunFactory.create(TinyRuns.tiny("data.path=" + text, "model.vocabSize=100"), reg, runs, new EventBus()));
      assertTrue(e.getMessage().contains("text.txt") && e.getMessage().contains("model.vocabSize=100"), e.getMessage());
      assertTrue(!Files.exists(runs) || Files.list(runs).findAny().isEmpty(), "no run directory");
    }
  }
}
