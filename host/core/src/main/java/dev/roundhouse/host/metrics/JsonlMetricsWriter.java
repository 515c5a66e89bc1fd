package dev.roundhouse.host.metrics;

import dev.roundhouse.host.run.Json;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriber that appends one compact JSON line per event to metrics.jsonl. Each line is handed to the OS with a
 * single write as soon as the event arrives (nothing buffered in the JVM, so a crash loses at most the line being
 * written); checkpoint, run_finished and run_failed events are also fsynced. Opening an existing file appends
 * (resume); a partial last line left by a crash is cut off first so every line stays whole. Thread-safe.
 */
public final class JsonlMetricsWriter implements Consumer<RunEvent>, Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(JsonlMetricsWriter.class);

  private final Path file;
  private FileChannel channel;

  /** Opens (creating or appending to) {@code file}. */
  public JsonlMetricsWriter(Path file) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      cutPartialLastLine();
      channel.position(channel.size());
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot open metrics file " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** Appends the event as one line; IO errors are rethrown unchecked, naming the file. */
  @Override
  public synchronized void accept(RunEvent event) {
    if (channel == null) {
      throw new IllegalStateException("metrics writer for " + file + " is closed");
    }
    ByteBuffer line = ByteBuffer.wrap((Json.line(event) + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      while (line.hasRemaining()) {
        channel.write(line);
      }
      if (event instanceof RunEvent.Checkpoint || event instanceof RunEvent.RunFinished
          || event instanceof RunEvent.RunFailed) {
        channel.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to metrics file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Flushes to disk and closes. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      try {
        channel.force(false);
      } finally {
        channel.close();
        channel = null;
      }
    }
  }

  @Override
  public String toString() {
    return "JsonlMetricsWriter[" + file + "]";
  }

  private void cutPartialLastLine() throws IOException {
    long size = channel.size();
    if (size == 0 || lastByte(size - 1) == '\n') {
      return;
    }
    long keep = size - 1;
    while (keep > 0 && lastByte(keep - 1) != '\n') {
      keep--;
    }
    LOG.warn("Metrics file {} ended with a partial line ({} bytes); removed it before appending", file,
        size - keep);
    channel.truncate(keep);
  }

  private byte lastByte(long pos) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    channel.read(b, pos);
    return b.get(0);
  }
}
