package dev.roundhouse.host.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The safetensors format (https://github.com/huggingface/safetensors), readable by every safetensors
 * reader (Python {@code safetensors}, Rust, JS, ...):
 * <pre>
 * uint64 LE   N = header length in bytes
 * N bytes     UTF-8 JSON: {"__metadata__": {str: str}, "name": {"dtype": "F32", "shape": [..],
 *             "data_offsets": [begin, end]}, ...}, padded with spaces to a multiple of 8
 * rest        the tensors' element bytes, C (row-major) order, little-endian, back to back in name order
 * </pre>
 * Offsets are relative to the end of the header; the data has no holes. Raw bytes mean every value
 * (NaN payloads included) round-trips bit-exactly. Errors name the file and the tensor.
 */
public final class SafeTensors {
  /** ND4J type -> safetensors dtype name. */
  private static final Map<DataType, String> NAMES = new LinkedHashMap<>();

  static {
    NAMES.put(DataType.FLOAT, "F32");
    NAMES.put(DataType.DOUBLE, "F64");
    NAMES.put(DataType.HALF, "F16");
    NAMES.put(DataType.BFLOAT16, "BF16");
    NAMES.put(DataType.LONG, "I64");
    NAMES.put(DataType.INT, "I32");
    NAMES.put(DataType.SHORT, "I16");
    NAMES.put(DataType.BYTE, "I8");
    NAMES.put(DataType.UBYTE, "U8");
    NAMES.put(DataType.UINT16, "U16");
    NAMES.put(DataType.UINT32, "U32");
    NAMES.put(DataType.UINT64, "U64");
    NAMES.put(DataType.BOOL, "BOOL");
  }

  private static final long MAX_HEADER = 100L << 20;

  private SafeTensors() {}

  /** Tensors and the free-form string metadata of a file. */
  public record Contents(Map<String, INDArray> tensors, Map<String, String> metadata) {}

  /** The safetensors dtype name of an ND4J type, e.g. F32; unsupported types are refused. */
  public static String dtypeName(DataType t) {
    String n = NAMES.get(t);
    if (n == null) {
      throw new IllegalArgumentException("safetensors has no dtype for ND4J " + t);
    }
    return n;
  }

  /** Writes {@code tensors} (sorted by name) and {@code metadata} to a new file, fsynced; returns size and hash. */
  public static TensorFile.Written write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
      throws IOException {
    TensorFile.requireLittleEndianPlatform();
    Map<String, INDArray> sorted = new TreeMap<>(tensors);
    ObjectNode header = JsonNodeFactory.instance.objectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      new TreeMap<>(metadata).forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException(file + ": '__metadata__' is reserved, not a tensor name");
      }
      INDArray a = e.getValue();
      long bytes = a.length() * a.dataType().width();
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", dtypeName(a.dataType()));
      var shape = entry.putArray("shape");
      for (long d : a.shape()) {
        shape.add(d);
      }
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = Json.mapper().writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    MessageDigest md = Sha256.digest();
    long total = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
         MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      total += TensorFile.put(ch, md, head.flip());
      for (INDArray arr : sorted.values()) {
        boolean copied = TensorFile.needsCopy(arr);
        INDArray c = copied ? arr.dup('c') : arr;
        try {
          if (c.length() > 0) {
            ByteBuffer raw = c.data().asNio().duplicate();
            raw.clear().limit(Math.toIntExact(c.length() * c.dataType().width()));
            total += TensorFile.put(ch, md, raw);
          }
        } finally {
          if (copied && c.closeable()) {
            c.close();
          }
        }
      }
      ch.force(true);
    }
    return new TensorFile.Written(total, HexFormat.of().formatHex(md.digest()));
  }

  /** Reads every tensor into new arrays allocated outside any workspace. Errors name the file and tensor. */
  public static Contents read(Path file) throws IOException {
    TensorFile.requireLittleEndianPlatform();
    Map<String, INDArray> out = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
         MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      long size = ch.size();
      if (size < 8) {
        throw new CheckpointException(file, "not a safetensors file (" + size + " bytes)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      TensorFile.fill(ch, lenBuf, file);
      long n = lenBuf.flip().getLong();
      if (n < 2 || n > MAX_HEADER || n > size - 8) {
        throw new CheckpointException(file, "not a safetensors file (header length " + n + ", file " + size + " bytes)");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      TensorFile.fill(ch, hb, file);
      JsonNode header;
      try {
        header = Json.mapper().readTree(new String(hb.array(), StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        throw new CheckpointException(file, "safetensors header is not JSON: " + e.getMessage(), e);
      }
      if (header == null || !header.isObject()) {
        throw new CheckpointException(file, "safetensors header is not a JSON object");
      }
      long dataStart = 8 + n;
      long dataLen = size - dataStart;
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        if (name.equals("__metadata__")) {
          e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        out.put(name, readTensor(ch, file, name, e.getValue(), dataStart, dataLen));
      }
    } catch (ArithmeticException e) {
      throw new CheckpointException(file, "tensor shape overflows", e);
    }
    return new Contents(out, metadata);
  }

  private static INDArray readTensor(FileChannel ch, Path file, String name, JsonNode entry, long dataStart,
      long dataLen) throws IOException {
    DataType dtype = parseDtype(file, name, entry.path("dtype").asText());
    JsonNode shapeNode = entry.path("shape");
    JsonNode offsets = entry.path("data_offsets");
    if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw new CheckpointException(file, "tensor '" + name + "' needs \"shape\" and two \"data_offsets\"");
    }
    long[] shape = new long[shapeNode.size()];
    long elements = 1;
    for (int d = 0; d < shape.length; d++) {
      shape[d] = shapeNode.get(d).asLong(-1);
      if (shape[d] < 0) {
        throw new CheckpointException(file, "tensor '" + name + "' has an invalid dimension " + shapeNode.get(d));
      }
      elements = Math.multiplyExact(elements, shape[d]);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    long bytes = Math.multiplyExact(elements, (long) dtype.width());
    if (begin < 0 || end < begin || end > dataLen || end - begin != bytes) {
      throw new CheckpointException(file, "tensor '" + name + "' has data_offsets [" + begin + ", " + end
          + "] for " + bytes + " bytes of " + json(shape) + " " + NAMES.get(dtype) + " in " + dataLen
          + " data bytes (file truncated or corrupt)");
    }
    INDArray arr = Nd4j.create(dtype, shape, 'c');
    if (bytes > 0) {
      ByteBuffer dst = arr.data().asNio();
      dst.clear().limit(Math.toIntExact(bytes));
      ch.position(dataStart + begin);
      TensorFile.fill(ch, dst, file);
    }
    return arr;
  }

  private static String json(long[] shape) {
    return java.util.Arrays.toString(shape);
  }

  private static DataType parseDtype(Path file, String name, String dtype) {
    for (Map.Entry<DataType, String> e : NAMES.entrySet()) {
      if (e.getValue().equals(dtype)) {
        return e.getKey();
      }
    }
    throw new CheckpointException(file, "tensor '" + name + "' has unsupported dtype '" + dtype + "'");
  }
}
