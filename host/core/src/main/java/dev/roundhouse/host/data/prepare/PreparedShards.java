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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

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

  /** One shard written: its path relative to the dataset folder, token count and sha256 (hex). */
  record Written(String file, int tokens, String sha256) {}

  /**
   * Packs the documents of one split (those with {@code val[i] == isVal}, in order, each followed
   * by {@code eos}) into shards {@code out/<source>/<split>_NNNNNN.bin} of at most {@code
   * shardTokens} tokens, streaming: one shard's bytes in memory at a time, hashed as written.
   * Thread-safe for different splits.
   */
  static List<Written> writeSplit(Path out, String source, String split, int[][] docs, boolean[] val, boolean isVal,
      int eos, int shardTokens, boolean u32) throws IOException {
    long total = 0;
    for (int i = 0; i < docs.length; i++) {
      if (val[i] == isVal) {
        total += docs[i].length + 1;
      }
    }
    List<Written> written = new ArrayList<>();
    int doc = 0;
    int inDoc = 0; // next token of docs[doc]; docs[doc].length means its EOS
    int width = u32 ? 4 : 2;
    for (long from = 0; from < total; from += shardTokens) {
      int n = (int) Math.min(shardTokens, total - from);
      byte[] bytes = new byte[ShardFormat.HEADER_BYTES + width * n];
      ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      header.putInt(0, ShardFormat.MAGIC).putInt(4, u32 ? VERSION_U32 : ShardFormat.VERSION).putInt(8, n);
      int at = ShardFormat.HEADER_BYTES;
      for (int filled = 0; filled < n; ) {
        while (val[doc] != isVal) {
          doc++;
        }
        int[] d = docs[doc];
        int take = Math.min(n - filled, d.length + 1 - inDoc);
        for (int j = inDoc; j < inDoc + take; j++) {
          int t = j < d.length ? d[j] : eos;
          bytes[at] = (byte) t;
          bytes[at + 1] = (byte) (t >>> 8);
          if (u32) {
            bytes[at + 2] = (byte) (t >>> 16);
            bytes[at + 3] = (byte) (t >>> 24);
          }
          at += width;
        }
        filled += take;
        inDoc += take;
        if (inDoc == d.length + 1) {
          doc++;
          inDoc = 0;
        }
      }
      String name = source + "/" + split + String.format("_%06d.bin", written.size());
      Files.write(out.resolve(name), bytes);
      written.add(new Written(name, n, sha256(bytes)));
    }
    return written;
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
