package dev.roundhouse.host.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Roundhouse tensor file ({@code tensors.bin}): named arrays, exact bits, little-endian.
 * <pre>
 * magic    8 bytes  "RHTENS01"
 * count    int32    number of entries, written in name order
 * entry:   int32 nameLen, nameLen bytes UTF-8 name
 *          int32 dtypeLen, dtypeLen bytes ASCII ND4J DataType name (FLOAT, DOUBLE, LONG, INT, HALF, BFLOAT16, ...)
 *          int32 rank, rank x int64 shape
 *          int64 dataBytes = product(shape) * width(dtype)
 *          dataBytes raw element bytes, C (row-major) order, little-endian
 * </pre>
 * Raw bytes mean FLOAT/DOUBLE/LONG values, NaN payloads included, round-trip bit-exactly. Views and F-order arrays
 * are written as their C-order copy. Integrity is checked by the checkpoint manifest (size + SHA-256), not here;
 * this reader still checks every length against the file size so a damaged file fails with a clear message.
 */
public final class TensorFile {
  static final byte[] MAGIC = "RHTENS01".getBytes(StandardCharsets.US_ASCII);

  private TensorFile() {}

  /** File size and SHA-256 (hex) of what was written. */
  public record Written(long bytes, String sha256) {}

  /** Writes {@code tensors} (sorted by name) to {@code file}, fsynced; returns its size and hash. */
  public static Written write(Path file, Map<String, INDArray> tensors) throws IOException {
    requireLittleEndianPlatform();
    MessageDigest md = Sha256.digest();
    long total = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
         MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).put(MAGIC).putInt(tensors.size());
      total += put(ch, md, head.flip());
      for (Map.Entry<String, INDArray> e : new TreeMap<>(tensors).entrySet()) {
        INDArray arr = e.getValue();
        boolean copied = needsCopy(arr);
        INDArray c = copied ? arr.dup('c') : arr;
        try {
          total += put(ch, md, entryHeader(e.getKey(), c));
          if (c.length() > 0) {
            total += put(ch, md, rawBytes(c));
          }
        } finally {
          if (copied && c.closeable()) {
            c.close();
          }
        }
      }
      ch.force(true);
    }
    return new Written(total, HexFormat.of().formatHex(md.digest()));
  }

  /** Reads every entry into new arrays allocated outside any workspace. Errors name the file. */
  public static Map<String, INDArray> read(Path file) throws IOException {
    requireLittleEndianPlatform();
    Map<String, INDArray> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
         MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      long size = ch.size();
      ByteBuffer head = readFully(ch, file, 12, size);
      byte[] magic = new byte[MAGIC.length];
      head.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new CheckpointException(file, "not a Roundhouse tensor file (bad magic)");
      }
      int count = head.getInt();
      if (count < 0) {
        throw new CheckpointException(file, "negative entry count " + count);
      }
      for (int i = 0; i < count; i++) {
        String name = readString(ch, file, size, "name of entry " + i);
        String dtypeName = readString(ch, file, size, "dtype of '" + name + "'");
        DataType dtype = parseDtype(file, name, dtypeName);
        int rank = readFully(ch, file, 4, size).getInt();
        if (rank < 0 || rank > 32) {
          throw new CheckpointException(file, "tensor '" + name + "' has invalid rank " + rank);
        }
        ByteBuffer dims = readFully(ch, file, 8L * rank + 8, size);
        long[] shape = new long[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++) {
          shape[d] = dims.getLong();
          if (shape[d] < 0) {
            throw new CheckpointException(file, "tensor '" + name + "' has negative dimension " + shape[d]);
          }
          elements = Math.multiplyExact(elements, shape[d]);
        }
        long dataBytes = dims.getLong();
        if (dataBytes != elements * dtype.width() || dataBytes > size - ch.position()) {
          throw new CheckpointException(file, "tensor '" + name + "' declares " + dataBytes
              + " data bytes for shape " + Arrays.toString(shape) + " " + dtype + " (file truncated or corrupt)");
        }
        INDArray arr = Nd4j.create(dtype, shape, 'c');
        if (dataBytes > 0) {
          ByteBuffer dst = arr.data().asNio();
          dst.clear().limit(Math.toIntExact(dataBytes));
          fill(ch, dst, file);
        }
        if (out.put(name, arr) != null) {
          throw new CheckpointException(file, "duplicate tensor name '" + name + "'");
        }
      }
      if (ch.position() != size) {
        throw new CheckpointException(file, (size - ch.position()) + " unexpected trailing bytes");
      }
    } catch (ArithmeticException e) {
      throw new CheckpointException(file, "tensor shape overflows", e);
    }
    return out;
  }

  /** Whether {@code arr} must be copied to a dense c-order array before its bytes are written. Shared with SafeTensors. */
  static boolean needsCopy(INDArray arr) {
    return arr.isView() || arr.ordering() != 'c' || arr.offset() != 0
        || (arr.length() > 0 && arr.data().length() != arr.length());
  }

  private static ByteBuffer entryHeader(String name, INDArray c) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] t = c.dataType().name().getBytes(StandardCharsets.US_ASCII);
    long[] shape = c.shape();
    ByteBuffer b = ByteBuffer.allocate(4 + n.length + 4 + t.length + 4 + 8 * shape.length + 8)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(n.length).put(n).putInt(t.length).put(t).putInt(shape.length);
    for (long d : shape) {
      b.putLong(d);
    }
    b.putLong(c.length() * c.dataType().width());
    return b.flip();
  }

  /** The array's element bytes: a little-endian view of its native buffer (platform checked to be LE). */
  private static ByteBuffer rawBytes(INDArray c) {
    long bytes = c.length() * c.dataType().width();
    ByteBuffer raw = c.data().asNio().duplicate();
    raw.clear().limit(Math.toIntExact(bytes));
    return raw;
  }

  private static DataType parseDtype(Path file, String name, String dtypeName) {
    try {
      DataType t = DataType.valueOf(dtypeName);
      if (t.width() <= 0 || t == DataType.UTF8 || t == DataType.COMPRESSED || t == DataType.UNKNOWN) {
        throw new IllegalArgumentException();
      }
      return t;
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, "tensor '" + name + "' has unsupported dtype '" + dtypeName + "'");
    }
  }

  static long put(FileChannel ch, MessageDigest md, ByteBuffer buf) throws IOException {
    md.update(buf.duplicate());
    long n = buf.remaining();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    return n;
  }

  private static String readString(FileChannel ch, Path file, long size, String what) throws IOException {
    int len = readFully(ch, file, 4, size).getInt();
    if (len < 0 || len > 65_536) {
      throw new CheckpointException(file, "invalid length " + len + " for " + what);
    }
    ByteBuffer b = readFully(ch, file, len, size);
    return StandardCharsets.UTF_8.decode(b).toString();
  }

  private static ByteBuffer readFully(FileChannel ch, Path file, long n, long size) throws IOException {
    if (n > size - ch.position() || n > Integer.MAX_VALUE) {
      throw new CheckpointException(file, "truncated: needs " + n + " more bytes at offset " + ch.position()
          + " of " + size);
    }
    ByteBuffer b = ByteBuffer.allocate((int) n).order(ByteOrder.LITTLE_ENDIAN);
    fill(ch, b, file);
    return b.flip();
  }

  static void fill(FileChannel ch, ByteBuffer dst, Path file) throws IOException {
    while (dst.hasRemaining()) {
      if (ch.read(dst) < 0) {
        throw new CheckpointException(file, "truncated: unexpected end of file at offset " + ch.position());
      }
    }
  }

  static void requireLittleEndianPlatform() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException("tensor files (Roundhouse's and safetensors) need a little-endian platform");
    }
  }
}
