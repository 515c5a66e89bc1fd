package dev.roundhouse.host.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoint weights are safetensors: read back by an independent reader (Python's json + struct, no
 * safetensors package; the test skips when /usr/bin/python3 is absent), bit-exact through the store,
 * and old format version 1 checkpoints ({@code tensors.bin}) still load.
 */
class SafeTensorsTest {
  static final String PYTHON = "/usr/bin/python3";
  /** Minimal safetensors reader: prints {name: [dtype, shape, sha256 of the data bytes]} and the metadata. */
  static final String READER = String.join("\n",
      "import hashlib, json, struct, sys",
      "b = open(sys.argv[1], 'rb').read()",
      "(n,) = struct.unpack('<Q', b[:8])",
      "h = json.loads(b[8:8 + n].decode('utf-8'))",
      "data = b[8 + n:]",
      "out = {}",
      "ends = []",
      "for k, v in h.items():",
      "    if k == '__metadata__':",
      "        out[k] = v",
      "        continue",
      "    s, e = v['data_offsets']",
      "    ends.append((s, e))",
      "    out[k] = [v['dtype'], v['shape'], hashlib.sha256(data[s:e]).hexdigest()]",
      "ends.sort()",
      "pos = 0",
      "for s, e in ends:",
      "    assert s == pos, 'hole or overlap at %d' % s",
      "    pos = e",
      "assert pos == len(data), 'trailing bytes'",
      "assert n % 8 == 0, 'header not 8-aligned'",
      "print(json.dumps(out))");

  @TempDir Path tmp;

  @Test
  void checkpointWeightsAreReadableByAnIndependentSafetensorsReader() throws Exception {
    Assumptions.assumeTrue(new File(PYTHON).canExecute(), PYTHON + " is not installed: skipping the independent reader");
    CheckpointStore store = new CheckpointStore(tmp.resolve("checkpoints"));
    Map<String, INDArray> saved = CheckpointStoreTest.tensors();
    Path dir = store.save(7, saved, null);
    Path file = dir.resolve(CheckpointStore.TENSORS_FILE);
    Path script = tmp.resolve("reader.py");
    Files.writeString(script, READER);
    Process p = new ProcessBuilder(PYTHON, script.toString(), file.toString()).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), text);
    JsonNode got = Json.parse(text, "reader output");
    assertEquals("7", got.path("__metadata__").path("step").asText());
    for (Map.Entry<String, INDArray> e : saved.entrySet()) {
      INDArray c = e.getValue().dup('c');
      JsonNode entry = got.path(e.getKey());
      assertEquals(SafeTensors.dtypeName(c.dataType()), entry.path(0).asText(), e.getKey());
      assertEquals(Json.line(c.shape()), Json.line(entry.path(1)), e.getKey());
      assertEquals(sha256(c), entry.path(2).asText(), e.getKey());
    }
    assertEquals(saved.size() + 1, got.size());
  }

  @Test
  void formatVersionOneCheckpointsStillLoad() throws IOException {
    Path ck = tmp.resolve("checkpoints");
    Path step = Files.createDirectories(ck.resolve("step-000005"));
    Map<String, INDArray> saved = CheckpointStoreTest.tensors();
    TensorFile.Written t = TensorFile.write(step.resolve(CheckpointStore.LEGACY_TENSORS_FILE), saved);
    byte[] meta = "{}".getBytes(StandardCharsets.UTF_8);
    Files.write(step.resolve(CheckpointStore.META_FILE), meta);
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("format", CheckpointStore.FORMAT).put("format_version", 1).put("step", 5);
    ObjectNode files = m.putObject("files");
    files.putObject(CheckpointStore.LEGACY_TENSORS_FILE).put("bytes", t.bytes()).put("sha256", t.sha256());
    files.putObject(CheckpointStore.META_FILE).put("bytes", meta.length).put("sha256", Sha256.hex(meta));
    ObjectNode index = m.putObject("tensors");
    saved.forEach((k, v) -> {
      ObjectNode e = index.putObject(k).put("dtype", v.dataType().name());
      var shape = e.putArray("shape");
      for (long d : v.shape()) {
        shape.add(d);
      }
    });
    Files.writeString(step.resolve(CheckpointStore.MANIFEST_FILE), Json.pretty(m));
    LoadedCheckpoint loaded = new CheckpointStore(ck).load(5);
    for (Map.Entry<String, INDArray> e : saved.entrySet()) {
      assertEquals(sha256(e.getValue().dup('c')), sha256(loaded.tensor(e.getKey())), e.getKey());
    }
  }

  @Test
  void damagedHeaderIsRefusedNamingTheFile() throws IOException {
    Path f = tmp.resolve("bad.safetensors");
    SafeTensors.write(f, Map.of("a", Nd4j.ones(2, 3)), Map.of());
    byte[] b = Files.readAllBytes(f);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
    Files.write(f, b);
    CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
    assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
    Path g = tmp.resolve("short.safetensors");
    SafeTensors.write(g, Map.of("a", Nd4j.ones(2, 3)), Map.of());
    byte[] c = Files.readAllBytes(g);
    Files.write(g, java.util.Arrays.copyOf(c, c.length - 4));
    CheckpointException e2 = assertThrows(CheckpointException.class, () -> SafeTensors.read(g));
    assertTrue(e2.getMessage().contains("'a'"), e2.getMessage());
  }

  static String sha256(INDArray c) {
    if (c.length() == 0) {
      return HexFormat.of().formatHex(Sha256.digest().digest());
    }
    ByteBuffer raw = c.data().asNio().duplicate();
    raw.clear().limit((int) (c.length() * c.dataType().width()));
    java.security.MessageDigest md = Sha256.digest();
    md.update(raw);
    return HexFormat.of().formatHex(md.digest());
  }
}
