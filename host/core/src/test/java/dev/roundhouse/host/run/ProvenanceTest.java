package dev.roundhouse.host.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
  @TempDir Path tmp;

  @Test
  void provenanceFileHasEveryRequiredKey() throws IOException {
    Path jar = Files.writeString(tmp.resolve("routers.jar"), "abc");
    Provenance p = Provenance.builder()
        .seed(1337)
        .startTime(Instant.parse("2026-11-22T12:03:01.123456Z"))
        .plugins(List.of(PluginRecord.of("roundhouse-routers", "0.1.0", jar), PluginRecord.of("builtin", "0.1.0", null)))
        .workingDir(tmp)
        .build();
    try (RunDirectory run = RunDirectory.create(tmp.resolve("runs"), "p")) {
      run.writeProvenance(p);
      JsonNode json = Json.read(run.provenanceFile());
      for (String key : List.of("roundhouse_version", "api_version", "git_commit", "java_version", "java_vendor",
          "os_name", "os_version", "os_arch", "nd4j_backend", "nd4j_environment", "cores", "max_heap_bytes", "seed",
          "start_time", "plugins")) {
        assertTrue(json.has(key), "missing " + key + " in " + json);
      }
      assertEquals(1337, json.get("seed").asLong());
      assertEquals("2026-11-22T12:03:01.123Z", json.get("start_time").asText());
      assertEquals(System.getProperty("java.version"), json.get("java_version").asText());
      assertEquals("CpuBackend", json.get("nd4j_backend").asText());
      assertEquals("CPU", json.path("nd4j_environment").path("backend").asText());
      assertTrue(json.path("nd4j_environment").has("blas.vendor"));
      assertTrue(json.path("nd4j_environment").path("nd4j.native.build").asText().startsWith("linux-x86_64"));
      assertTrue(json.path("nd4j_environment").has("cpu.bf16") && json.path("nd4j_environment").has("bf16.products")
          && json.path("nd4j_environment").path("products").asText().startsWith("oneDNN "), json.toString());
      assertTrue(json.get("cores").asInt() >= 1 && json.get("max_heap_bytes").asLong() > 0);
      assertTrue(json.get("git_commit").isNull(), "temp dir is no git repo");
      assertNotNull(p.roundhouseVersion());
      assertEquals(p.roundhouseVersion(), json.get("roundhouse_version").asText());
      JsonNode plugin = json.get("plugins").get(0);
      assertEquals("roundhouse-routers", plugin.get("id").asText());
      assertEquals(jar.toAbsolutePath().toString(), plugin.get("jar").asText());
      // sha256("abc")
      assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", plugin.get("sha256").asText());
      assertTrue(json.get("plugins").get(1).get("jar").isNull());
      assertEquals(p, Json.read(run.provenanceFile(), Provenance.class));
    }
  }

  @Test
  void gitCommitIsFoundInARepositoryAndNullElsewhere() throws Exception {
    assertNull(Provenance.gitCommit(tmp));
    assertNull(Provenance.gitCommit(tmp.resolve("does-not-exist")));
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    if (!run(repo, "git", "init", "-q") || !run(repo, "git", "-c", "user.email=t@t", "-c", "user.name=t", "commit",
        "-q", "--allow-empty", "-m", "x")) {
      return; // no usable git here: the null paths above are what matters
    }
    Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(repo.toFile()).start();
    String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(expected, Provenance.gitCommit(repo));
    assertTrue(expected.matches("[0-9a-f]{40}"));
    assertEquals(expected, Provenance.builder().workingDir(repo).build().gitCommit());
    assertNull(Provenance.builder().workingDir(repo).withoutGit().build().gitCommit());
  }

  private static boolean run(Path dir, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
