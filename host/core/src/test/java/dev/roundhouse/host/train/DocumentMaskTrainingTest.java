package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.prepare.Preparer;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.StepArena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code data.documentMask} end to end with the real plugin jars: a run on prepared data (documents
 * packed with EOS) trains and its loss falls; in the trained model a document's logits do not
 * depend on the document before it in the row; runs that cannot mask are refused by name.
 */
class DocumentMaskTrainingTest {
  static final int T = 64;

  @TempDir Path tmp;

  private Path prepared() throws Exception {
    Path mix = tmp.resolve("mix.json");
    Files.writeString(mix, "{\"tokenizer\": {\"type\": \"byte\"}, \"valFraction\": 0.1, \"sources\": ["
        + "{\"name\": \"arithmetic\", \"synthetic\": \"arithmetic\", \"documents\": 400},"
        + "{\"name\": \"english\", \"synthetic\": \"english\", \"documents\": 400}]}");
    Path data = tmp.resolve("prepared");
    Preparer.prepare(Preparer.load(mix), data, s -> { });
    return data;
  }

  @Test
  void trainsWithTheMaskAndDocumentsStayIsolated() throws Exception {
    Path data = prepared();
    String[] sets = {"data.prepared=" + data, "data.documentMask=true", "model.seqLen=" + T, "train.steps=30"};
    try (PluginRegistry reg = TinyRuns.registry()) {
      assertEquals(true, RunFactory.resolve(TinyRuns.tiny(sets), reg).path("data").path("documentMask").asBoolean());
      Runs.Prepared a = Runs.create(TinyRuns.tiny(sets), reg, tmp.resolve("runs"), new EventBus());
      Runs.execute(a);
      List<Double> loss = TrainerEndToEndTest.stepLosses(a.run().directory().root());
      double first = loss.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = loss.subList(27, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(last < first - 0.5, "loss should fall: " + first + " -> " + last);

      MoeTransformer model = a.run().model();
      assertEquals(0, model.documentSeparator(), "the byte tokenizer's EOS is byte 0");
      // row: document A (positions 0..29, EOS at 29), then document B; a second row with another A
      int[] row1 = new int[T];
      int[] row2 = new int[T];
      for (int i = 0; i < T; i++) {
        row1[i] = 'a' + i % 7;
        row2[i] = i < 30 ? 'k' + i % 5 : row1[i];
      }
      row1[29] = 0;
      row2[29] = 0;
      INDArray l1 = logits(model, row1);
      INDArray l2 = logits(model, row2);
      INDArray docB1 = l1.get(NDArrayIndex.interval(30, T), NDArrayIndex.all());
      INDArray docB2 = l2.get(NDArrayIndex.interval(30, T), NDArrayIndex.all());
      assertEquals(0, docB1.sub(docB2).amaxNumber().doubleValue(), 1e-4, "document B reads document A");
      INDArray docA1 = l1.get(NDArrayIndex.interval(0, 29), NDArrayIndex.all());
      INDArray docA2 = l2.get(NDArrayIndex.interval(0, 29), NDArrayIndex.all());
      assertTrue(docA1.sub(docA2).amaxNumber().doubleValue() > 1e-3, "different documents A, same logits");
    }
  }

  private static INDArray logits(MoeTransformer model, int[] row) {
    try (StepArena arena = StepArena.open("test"); NoGrad ng = NoGrad.enter()) {
      assertNotNull(model.documents(row, 1, row.length));
      return StepArena.keep(model.logits(row, 1, row.length).data()); // [T, V]
    }
  }

  @Test
  void refusedByNameBeforeAnythingIsWritten() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Path runs = tmp.resolve("runs");
      var e = assertThrows(DataException.class,
          () -> Runs.create(TinyRuns.tiny("data.documentMask=true"), reg, runs, new EventBus()));
      assertTrue(e.getMessage().startsWith("data.documentMask: needs data.prepared"), e.getMessage());
      assertFalse(Files.exists(runs), "nothing written");

      Path data = prepared();
      var c = assertThrows(ConfigException.class, () -> Runs.create(TinyRuns.tiny("data.prepared=" + data,
          "data.documentMask=true", "model.attention.type=kda"), reg, runs, new EventBus()));
      assertTrue(c.getMessage().contains("data.documentMask: attention plugin 'kda' (layers.0) does not support"),
          c.getMessage());

      // data-parallel shard replicas mask too (they run the same forward on their rows)
      Runs.Prepared two = Runs.create(TinyRuns.tiny("data.prepared=" + data, "data.documentMask=true",
          "train.dataParallel=2", "train.steps=1"), reg, tmp.resolve("runs2"), new EventBus());
      assertEquals(0, two.run().model().documentSeparator());
      assertEquals(1, two.run().shardReplicas().size());
      two.run().shardReplicas().forEach(r -> assertEquals(0, r.documentSeparator()));
      Runs.execute(two);
    }
  }

  @Test
  void offByDefaultAndAbsentFromTheResolvedConfig() {
    try (PluginRegistry reg = TinyRuns.registry()) {
      assertTrue(RunFactory.resolve(TinyRuns.tiny(), reg).path("data").path("documentMask").isMissingNode());
      assertTrue(RunFactory.resolve(TinyRuns.tiny("data.documentMask=false"), reg).path("data")
          .path("documentMask").isMissingNode());
    }
  }
}
