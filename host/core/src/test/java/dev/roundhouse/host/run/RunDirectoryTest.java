package dev.roundhouse.host.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
  @TempDir Path runs;

  @Test
  void createLaysOutTheDirectoryAndWritesSortedConfig() throws IOException {
    try (RunDirectory run = RunDirectory.create(runs, "tiny")) {
      assertEquals(runs.resolve("tiny").toAbsolutePath(), run.root());
      assertTrue(Files.isDirectory(run.checkpointsDir()) && Files.isDirectory(run.logsDir()));
      assertEquals(run.root().resolve("metrics.jsonl"), run.metricsFile());
      JsonNode config = Json.parse("{\"seed\":1,\"model\":{\"topK\":2,\"capacityFactor\":null}}", "cfg");
      run.writeConfig(config);
      assertEquals("{\n  \"model\": {\n    \"capacityFactor\": null,\n    \"topK\": 2\n  },\n  \"seed\": 1\n}\n",
          Files.readString(run.configFile()));
      assertEquals(config, run.readConfig());
    }
  }

  @Test
  void neverReusesAnExistingDirectory() throws IOException {
    Files.createDirectories(runs.resolve("same"));
    try (RunDirectory a = RunDirectory.create(runs, "same");
         RunDirectory b = RunDirectory.create(runs, "same")) {
      assertEquals("same-2", a.root().getFileName().toString());
      assertEquals("same-3", b.root().getFileName().toString());
    }
    assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(runs, "../escape"));
  }

  @Test
  void defaultNameHasUtcTimestampLabelAndConfigHash() {
    JsonNode config = Json.parse("{\"a\":1}", "cfg");
    String name = RunDirectory.defaultName(Instant.parse("2026-11-22T12:03:01Z"), "Tiny MoE", config);
    assertEquals("20261122-120301-tiny-moe-" + Json.sha256(config).substring(0, 6), name);
    assertEquals("20261122-120301", RunDirectory.defaultName(Instant.parse("2026-11-22T12:03:01Z"), null, null));
  }

  @Test
  void secondWriterInThisProcessIsRefusedUntilClosed() throws Exception {
    RunDirectory first = RunDirectory.create(runs, "locked");
    Path root = first.root();
    RunDirectoryLockedException e = assertThrows(RunDirectoryLockedException.class, () -> RunDirectory.open(root));
    assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
    // from another thread too
    CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
      try {
        RunDirectory.open(root).close();
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    assertTrue(other.get(10, TimeUnit.SECONDS) instanceof RunDirectoryLockedException);
    assertTrue(first.isOpen());
    first.close();
    assertFalse(first.isOpen());
    try (RunDirectory again = RunDirectory.open(root)) {
      assertTrue(again.isOpen());
    }
  }

  @Test
  void writerInAnotherProcessIsRefusedWithTheDirectoryNamed() throws Exception {
    Path root;
    try (RunDirectory run = RunDirectory.create(runs, "shared")) {
      root = run.root();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LockHolder.class.getName(), root.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked " + root, out.readLine());
      RunDirectoryLockedException e =
          assertThrows(RunDirectoryLockedException.class, () -> RunDirectory.open(root));
      assertTrue(e.getMessage().startsWith("run directory " + root + " is in use by another writer (held by pid="
          + child.pid()), e.getMessage());
    } finally {
      child.getOutputStream().close();
      assertTrue(child.waitFor(20, TimeUnit.SECONDS));
    }
    try (RunDirectory run = RunDirectory.open(root)) {
      assertTrue(run.isOpen());
    }
  }
}
