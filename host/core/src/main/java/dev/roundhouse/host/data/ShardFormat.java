package dev.roundhouse.host.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * llm.c / nanoGPT pre-tokenized {@code .bin} shards: a header of 256 little-endian int32 (magic
 * 20240520, version 1, token count, rest unused) followed by the tokens as little-endian uint16.
 * Version 2 (uint32 tokens) is not supported.
 */
public final class ShardFormat {

  /** Header magic number (int32 at byte offset 0). */
  public static final int MAGIC = 20240520;
  /** Supported header version (int32 at byte offset 4): uint16 tokens. */
  public static final int VERSION = 1;
  /** Header size in bytes (256 int32). */
  public static final int HEADER_BYTES = 256 * 4;

  private ShardFormat() {}

  /**
   * Reads all tokens of a shard, checking the header and that every token is below {@code vocabSize}.
   *
   * @throws DataException naming the file (and the byte offset) on any problem
   */
  public static int[] read(Path file, int vocabSize) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER_BYTES) {
        throw new DataException(file + ": truncated shard header: file has " + size
            + " bytes, the header needs " + HEADER_BYTES);
      }
      ByteBuffer header = readFully(ch, 0, HEADER_BYTES);
      int magic = header.getInt(0);
      if (magic != MAGIC) {
        throw new DataException(file + ": bad shard magic " + magic + " at byte offset 0 (expected "
            + MAGIC + " for an llm.c/nanoGPT .bin shard)");
      }
      int version = header.getInt(4);
      if (version != VERSION) {
        throw new DataException(file + ": unsupported shard version " + version
            + " at byte offset 4 (expected " + VERSION + ": uint16 tokens)");
      }
      int count = header.getInt(8);
      if (count <= 0) {
        throw new DataException(file + ": " + (count == 0 ? "empty shard" : "negative token count")
            + " (token count " + count + " at byte offset 8)");
      }
      long expected = HEADER_BYTES + 2L * count;
      if (size != expected) {
        throw new DataException(file + ": file size " + size + " bytes does not match the token count "
            + count + " at byte offset 8 (expected " + expected + " bytes)");
      }
      ByteBuffer body = readFully(ch, HEADER_BYTES, 2 * count);
      int[] tokens = new int[count];
      for (int i = 0; i < count; i++) {
        int t = body.getShort(2 * i) & 0xFFFF;
        if (t >= vocabSize) {
          throw new DataException(file + ": token " + t + " at byte offset " + (HEADER_BYTES + 2L * i)
              + " does not fit the model vocabulary of " + vocabSize
              + " (shard vocabulary is larger than the model's)");
        }
        tokens[i] = t;
      }
      return tokens;
    } catch (IOException e) {
      throw new DataException(file + ": cannot read shard: " + e, e);
    }
  }

  /** Writes {@code tokens} (each in [0, 65535]) as a version-1 shard. */
  public static void write(Path file, int[] tokens) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 2 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, tokens.length);
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] > 0xFFFF) {
        throw new IllegalArgumentException("token " + tokens[i] + " at position " + i
            + " does not fit uint16 for shard " + file);
      }
      buf.putShort(HEADER_BYTES + 2 * i, (short) tokens[i]);
    }
    Files.write(file, buf.array());
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        throw new IOException("unexpected end of file at byte offset " + (position + buf.position()));
      }
    }
    return buf.flip();
  }
}
