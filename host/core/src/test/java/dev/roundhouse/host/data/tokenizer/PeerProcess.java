package dev.roundhouse.host.data.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs host/bench/scripts/tokenizer-peer/peer.mjs (the JavaScript reference encoders). Tests call
 * {@link #assumeAvailable()} first: without node or the peer's node_modules (npm ci in that folder;
 * .ci/tokenizer-peer.sh does it in CI) they are skipped with the reason.
 */
final class PeerProcess {

  static final Path PEER_DIR = locate();
  private static final ObjectMapper JSON = new ObjectMapper();

  private PeerProcess() {}

  private static Path locate() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      Path candidate = p.resolve("host/bench/scripts/tokenizer-peer");
      if (Files.isRegularFile(candidate.resolve("peer.mjs"))) {
        return candidate;
      }
      p = p.getParent();
    }
    return null;
  }

  static void assumeAvailable() {
    assumeTrue(PEER_DIR != null, "host/bench/scripts/tokenizer-peer not found above " + Path.of("").toAbsolutePath());
    assumeTrue(Files.isDirectory(PEER_DIR.resolve("node_modules/@huggingface/tokenizers"))
        && Files.isDirectory(PEER_DIR.resolve("node_modules/js-tiktoken")),
        "tokenizer peer not installed: run `npm ci` in " + PEER_DIR);
    try {
      run(List.of("--version"));
    } catch (IOException | RuntimeException e) {
      assumeTrue(false, "node is not available: " + e.getMessage());
    }
  }

  /** Runs {@code node args...} in the peer folder; returns stdout. */
  static String run(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("node");
    cmd.addAll(args);
    Path out = Files.createTempFile("peer-out", ".json");
    Path err = Files.createTempFile("peer-err", ".txt");
    try {
      Process p = new ProcessBuilder(cmd).directory(PEER_DIR == null ? null : PEER_DIR.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("node " + args + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IOException("node " + args + " failed: " + Files.readString(err));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The peer's ids and decoded text for every case. */
  static JsonNode encode(String kind, Path tokenizerFile, Path casesFile) throws IOException {
    return JSON.readTree(run(List.of("peer.mjs", "encode", kind, tokenizerFile.toAbsolutePath().toString(),
        casesFile.toAbsolutePath().toString())));
  }

  /** Writes the named encoding's ranks (shipped inside js-tiktoken) as a .tiktoken file. */
  static Path writeTiktoken(String name, Path dir) throws IOException {
    Path file = dir.resolve(name + ".tiktoken");
    run(List.of("peer.mjs", "write-tiktoken", name, file.toAbsolutePath().toString()));
    return file;
  }
}
