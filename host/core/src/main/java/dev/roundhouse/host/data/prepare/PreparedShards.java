package dev.roundhouse.host.data.prepare;

import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.ShardFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Shards of a prepared dataset: the llm.c header (256 int32: magic 20240520, version, token count)
 * then the tokens little-endian, uint16 (version 1, llm.c-compatible) when the vocabulary fits 65536,
 * else uint32 (version 2, a Roundhouse extension).
 */
final class PreparedShards {

  static final int VERSION_U32 = 2;

  private PreparedShards() {}

  /** Writes a shard; returns the sha256 (hex) of the file's bytes. */
  static String write(Path file, int[] tokens, int from, int to, boolean u32) throws IOException {
    int n = to - from;
    ByteBuffer buf = ByteBuffer.allocate(ShardFormat.HEADER_BYTES + (u32 ? 4 : 2) * n).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(0, ShardFormat.MAGIC).putInt(4, u32 ? VERSION_U32 : ShardFormat.VERSION).putInt(8, n);
    buf.position(ShardFormat.HEADER_BYTES);
    for (int i = from; i < to; i++) {
      if (u32) {
        buf.putInt(tokens[i]);
      } else {
        buf.putShort((short) tokens[i]);
      }
    }
    byte[] bytes = buf.array();
    Files.write(file, bytes);
    return sha256(bytes);
  }

  /**
   * Reads a shard after checking its sha256 against the manifest's.
   *
   * @throws DataException naming the shard on a checksum or format mismatch
   */
  static int[] read(Path file, String expectedSha256, int vocabSize) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DataException("prepared shard " + file + " cannot be read: " + e.getMessage());
    }
    String sha = sha256(bytes);
    if (!sha.equals(expectedSha256)) {
      throw new DataException("prepared shard " + file + " fails its checksum: sha256 " + sha
          + ", the manifest says " + expectedSha256 + " (file changed or corrupt; prepare the data again)");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int version = buf.getInt(4);
    int n = buf.getInt(8);
    if (buf.getInt(0) != ShardFormat.MAGIC || (version != 1 && version != VERSION_U32)) {
      throw new DataException("prepared shard " + file + ": bad header (magic " + buf.getInt(0) + ", version " + version + ")");
    }
    int[] tokens = new int[n];
    int width = version == 1 ? 2 : 4;
    for (int i = 0; i < n; i++) {
      int at = ShardFormat.HEADER_BYTES + width * i;
      tokens[i] = width == 2 ? buf.getShort(at) & 0xFFFF : buf.getInt(at);
      if (tokens[i] < 0 || tokens[i] >= vocabSize) {
        throw new DataException("prepared shard " + file + ": token " + tokens[i] + " at index " + i
            + " does not fit the vocabulary of " + vocabSize);
      }
    }
    return tokens;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
