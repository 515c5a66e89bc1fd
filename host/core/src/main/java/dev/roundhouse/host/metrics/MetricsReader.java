package dev.roundhouse.host.metrics;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses metrics.jsonl back into {@link RunEvent}s, for replaying a run (desktop app) and tests. Unknown event
 * types (a newer writer) and unknown fields are skipped. A bad line in the middle is an error naming file and line;
 * an unparsable last line without its newline is a write cut short by a crash and is ignored.
 */
public final class MetricsReader {
  private static final ObjectReader READER =
      Json.mapper().readerFor(RunEvent.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Set<String> KNOWN = Set.of("run_started", "step", "eval", "data", "expert_load", "checkpoint",
      "alarm", "target_reached", "run_finished", "run_failed");

  private MetricsReader() {}

  /** Events read from {@code fromOffset} up to the last complete line, and the offset to continue from. */
  public record Chunk(List<RunEvent> events, long nextOffset) {}

  /** Every event in the file. */
  public static List<RunEvent> read(Path file) {
    return scan(file, 0, true).events();
  }

  /**
   * Events in complete lines from byte {@code fromOffset} on, for following a file that is still being written:
   * call again with {@link Chunk#nextOffset()}. A trailing line without newline is left for the next call.
   */
  public static Chunk readFrom(Path file, long fromOffset) {
    return scan(file, fromOffset, false);
  }

  /** Parses one line; null for an event type this version does not know. */
  public static RunEvent parseLine(String line) throws IOException {
    JsonNode node = Json.mapper().readTree(line);
    if (node == null || !node.isObject()) {
      throw new IOException("not a JSON object");
    }
    if (!KNOWN.contains(node.path("event").asText())) {
      return null;
    }
    return READER.readValue(node);
  }

  private static Chunk scan(Path file, long fromOffset, boolean includeUnterminatedLast) {
    byte[] bytes;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (fromOffset > size) {
        throw new IllegalArgumentException(file + ": offset " + fromOffset + " beyond end " + size);
      }
      ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size - fromOffset));
      while (buf.hasRemaining() && ch.read(buf, fromOffset + buf.position()) >= 0) {
        // keep reading
      }
      bytes = buf.array();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read metrics file " + file + ": " + e.getMessage(), e);
    }
    List<RunEvent> events = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      boolean terminated = end < bytes.length;
      lineNo++;
      if (!terminated && !includeUnterminatedLast) {
        break;
      }
      String line = new String(bytes, start, end - start, StandardCharsets.UTF_8).strip();
      if (!line.isEmpty()) {
        try {
          RunEvent e = parseLine(line);
          if (e != null) {
            events.add(e);
          }
        } catch (IOException | RuntimeException e) {
          if (terminated) {
            throw new IllegalArgumentException(file + ": line " + lineNo + (fromOffset > 0 ? " after offset "
                + fromOffset : "") + " is not a valid metrics event: " + e.getMessage(), e);
          }
          // unterminated and unparsable: a line cut short by a crash
        }
      }
      start = terminated ? end + 1 : end;
    }
    return new Chunk(events, fromOffset + start);
  }
}
