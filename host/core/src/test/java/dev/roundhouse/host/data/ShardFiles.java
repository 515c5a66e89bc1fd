package dev.roundhouse.host.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes llm.c-style shards byte by byte for tests, independent of {@link ShardFormat#write}. */
final class ShardFiles {

  private ShardFiles() {}

  /** A shard with the given header fields, tokens as uint16, and {@code extraBytes} junk appended. */
  static Path write(Path file, int magic, int version, int count, int[] tokens, int extraBytes) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1024 + 2 * tokens.length + extraBytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(magic).putInt(version).putInt(count);
    buf.position(1024);
    for (int t : tokens) {
      buf.putShort((short) t);
    }
    Files.write(file, buf.array());
    return file;
  }

  static Path write(Path file, int[] tokens) throws IOException {
    return write(file, 20240520, 1, tokens.length, tokens, 0);
  }
}
