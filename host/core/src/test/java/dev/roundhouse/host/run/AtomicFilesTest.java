package dev.roundhouse.host.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void writesAndReplacesWithoutLeavingTempFiles() throws IOException {
    Path f = tmp.resolve("config.json");
    AtomicFiles.writeString(f, "first");
    AtomicFiles.writeString(f, "second, longer content");
    assertEquals("second, longer content", Files.readString(f));
    AtomicFiles.writeBytes(f, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    assertEquals(List.of("config.json"), names(tmp));
  }

  @Test
  void failedWriteKeepsOldContentAndRemovesTempFile() throws IOException {
    Path target = Files.createDirectory(tmp.resolve("occupied"));
    Files.writeString(target.resolve("inside"), "x");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "data"));
    assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
    assertEquals(List.of("occupied"), names(tmp));
    assertTrue(Files.isDirectory(target));
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
