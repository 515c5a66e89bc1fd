package dev.roundhouse.host.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class CheckpointStoreTest {
  @TempDir Path tmp;

  static Map<String, INDArray> tensors() {
    Map<String, INDArray> t = new LinkedHashMap<>();
    Nd4j.getRandom().setSeed(7);
    t.put("w.float", Nd4j.randn(DataType.FLOAT, 3, 5));
    t.put("w.double", Nd4j.randn(DataType.DOUBLE, 2, 3, 4));
    t.put("special", Nd4j.createFromArray(Float.NaN, -0.0f, Float.MIN_VALUE, Float.POSITIVE_INFINITY, 1e-40f));
    t.put("cursor", Nd4j.createFromArray(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE));
    t.put("ints", Nd4j.createFromArray(new int[][] {{1, 2}, {3, -4}}));
    t.put("scalar", Nd4j.scalar(2.5));
    t.put("empty", Nd4j.create(DataType.FLOAT, 0, 4));
    INDArray base = Nd4j.linspace(1, 24, 24, DataType.DOUBLE).reshape(4, 6);
    t.put("view", base.get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(2, 5)));
    t.put("f.order", Nd4j.randn(DataType.FLOAT, 3, 2).transpose());
    return t;
  }

  @Test
  void tensorsRoundTripBitExactAndLoadOutsideWorkspaces() {
    CheckpointStore store = new CheckpointStore(tmp.resolve("checkpoints"));
    Map<String, INDArray> saved = tensors();
    JsonNode meta = Json.parse("{\"step\":100,\"rng\":[1,2,3],\"lr\":0.003}", "meta");
    Path dir = store.save(100, saved, meta);
    assertEquals(tmp.resolve("checkpoints/step-000100"), dir);

    WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(1 << 20).build();
    LoadedCheckpoint loaded;
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "CKPT_TEST")) {
      loaded = store.load(100);
    }
    assertEquals(100, loaded.step());
    assertEquals(meta, loaded.meta());
    assertEquals(saved.keySet().stream().sorted().toList(), List.copyOf(loaded.tensors().keySet()));
    for (Map.Entry<String, INDArray> e : saved.entrySet()) {
      INDArray want = e.getValue();
      INDArray got = loaded.tensor(e.getKey());
      assertFalse(got.isAttached(), e.getKey() + " is attached to a workspace");
      assertEquals(want.dataType(), got.dataType(), e.getKey());
      assertArrayEquals(want.shape(), got.shape(), e.getKey());
      assertEquals('c', got.ordering());
      if (want.length() > 0) {
        assertBitsEqual(e.getKey(), want, got);
      }
    }
    float[] special = loaded.tensor("special").toFloatVector();
    assertTrue(Float.isNaN(special[0]));
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(special[1]));
    assertEquals(Long.MIN_VALUE, loaded.tensor("cursor").getLong(3));
    assertEquals(0, loaded.tensor("scalar").rank());
    assertThrows(CheckpointException.class, () -> loaded.tensor("missing"));
  }

  @Test
  void truncatedTensorFileIsDetectedAndNamed() throws IOException {
    CheckpointStore store = new CheckpointStore(tmp);
    Path dir = store.save(5, tensors(), null);
    Path bin = dir.resolve(CheckpointStore.TENSORS_FILE);
    try (FileChannel ch = FileChannel.open(bin, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3);
    }
    CheckpointException e = assertThrows(CheckpointException.class, () -> store.load(5));
    assertEquals(bin, e.file());
    assertTrue(e.getMessage().startsWith(bin + ": truncated"), e.getMessage());
  }

  @Test
  void flippedBitIsDetectedAndNamed() throws IOException {
    CheckpointStore store = new CheckpointStore(tmp);
    Path dir = store.save(5, tensors(), Json.parse("{\"a\":1}", "meta"));
    Path bin = dir.resolve(CheckpointStore.TENSORS_FILE);
    byte[] original = Files.readAllBytes(bin);
    Files.write(bin, flip(original, original.length / 2));
    CheckpointException e = assertThrows(CheckpointException.class, () -> store.load(5));
    assertEquals(bin, e.file());
    assertTrue(e.getMessage().contains("corrupt: SHA-256 does not match manifest.json"), e.getMessage());

    Path meta = dir.resolve(CheckpointStore.META_FILE);
    Files.writeString(meta, Files.readString(meta).replace('1', '2'));
    Files.write(bin, original);
    e = assertThrows(CheckpointException.class, () -> store.load(5));
    assertEquals(meta, e.file());
  }

  @Test
  void latestFallsBackToThePreviousGoodCheckpoint() throws IOException {
    CheckpointStore store = new CheckpointStore(tmp);
    Map<String, INDArray> t = Map.of("x", Nd4j.createFromArray(1.0f, 2.0f));
    store.save(100, t, null);
    store.save(200, Map.of("x", Nd4j.createFromArray(3.0f, 4.0f)), null);
    store.save(300, t, null);
    assertEquals(300, store.latest().orElseThrow().step());

    Path bin300 = store.stepDir(300).resolve(CheckpointStore.TENSORS_FILE);
    Files.write(bin300, flip(Files.readAllBytes(bin300), 20));
    Files.createDirectories(store.stepDir(400)); // crashed mid-save without the temp dir: no manifest
    Files.createDirectories(tmp.resolve(".tmp-step-000500-123")); // crashed save, never visible
    assertEquals(List.of(100L, 200L, 300L, 400L), store.steps());
    LoadedCheckpoint latest = store.latest().orElseThrow();
    assertEquals(200, latest.step());
    assertArrayEquals(new float[] {3, 4}, latest.tensor("x").toFloatVector());
    CheckpointException e = assertThrows(CheckpointException.class, () -> store.load(400));
    assertTrue(e.getMessage().contains("manifest.json: missing: checkpoint is incomplete"), e.getMessage());
    assertTrue(new CheckpointStore(tmp.resolve("none")).latest().isEmpty());
  }

  @Test
  void keepLastPrunesOldCheckpointsAndSaveReplacesASameStep() throws IOException {
    CheckpointStore store = new CheckpointStore(tmp, 2);
    Files.createDirectories(tmp.resolve(".tmp-step-000009-1"));
    for (long step : new long[] {10, 20, 30, 40}) {
      store.save(step, Map.of("step", Nd4j.createFromArray(step)), null);
    }
    assertEquals(List.of(30L, 40L), store.steps());
    store.save(40, Map.of("step", Nd4j.createFromArray(41L)), null);
    assertEquals(41L, store.load(40).tensor("step").getLong(0));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("step-000030", "step-000040"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (Stream<Path> s = Files.list(store.stepDir(40))) {
      assertEquals(List.of("manifest.json", "meta.json", CheckpointStore.TENSORS_FILE),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    JsonNode manifest = Json.read(store.stepDir(40).resolve(CheckpointStore.MANIFEST_FILE));
    assertEquals("LONG", manifest.path("tensors").path("step").path("dtype").asText());
    assertEquals(Files.size(store.stepDir(40).resolve(CheckpointStore.TENSORS_FILE)),
        manifest.path("files").path(CheckpointStore.TENSORS_FILE).path("bytes").asLong());
  }

  @Test
  void missingStepIsNamed() {
    CheckpointStore store = new CheckpointStore(tmp);
    CheckpointException e = assertThrows(CheckpointException.class, () -> store.load(7));
    assertEquals(store.stepDir(7), e.file());
  }

  private static byte[] flip(byte[] bytes, int at) {
    byte[] out = bytes.clone();
    out[at] ^= 0x01;
    return out;
  }

  private static void assertBitsEqual(String name, INDArray want, INDArray got) {
    switch (want.dataType()) {
      case FLOAT -> {
        float[] a = want.dup('c').data().asFloat();
        float[] b = got.data().asFloat();
        assertEquals(a.length, b.length, name);
        for (int i = 0; i < a.length; i++) {
          assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), name + "[" + i + "]");
        }
      }
      case DOUBLE -> {
        double[] a = want.dup('c').data().asDouble();
        double[] b = got.data().asDouble();
        assertEquals(a.length, b.length, name);
        for (int i = 0; i < a.length; i++) {
          assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), name + "[" + i + "]");
        }
      }
      case LONG -> assertArrayEquals(want.dup('c').data().asLong(), got.data().asLong(), name);
      case INT -> assertArrayEquals(want.dup('c').data().asInt(), got.data().asInt(), name);
      default -> throw new AssertionError("untested dtype " + want.dataType());
    }
  }
}
