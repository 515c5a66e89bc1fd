package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.data.SourceDocuments;
import dev.roundhouse.host.data.prepare.Preparer;
import dev.roundhouse.host.data.tokenizer.BpeTrainer;
import dev.roundhouse.host.data.tokenizer.HfTokenizerJson;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real training on a prepared BPE mixture: vocabSize follows the tokenizer, the data event reports
 * epochs, val loss and bits per byte per source, and a resumed run continues exactly (per-source
 * cursors in the checkpoint).
 */
class PreparedTrainingTest {

  @TempDir Path tmp;

  @Test
  void trainsOnAPreparedMixtureAndResumesExactly() throws Exception {
    String train = String.join("", SourceDocuments.synthetic("t", "english", 300, 9))
        + String.join("", SourceDocuments.synthetic("t", "code", 300, 9));
    Path tj = tmp.resolve("tokenizer.json");
    HfTokenizerJson.write(BpeTrainer.train(List.of(train), 320, BpeTrainer.DEFAULT_SPECIALS).toTokenizerJson(), tj);
    Path mix = tmp.resolve("mix.json");
    Files.writeString(mix, "{\"tokenizer\": {\"type\": \"bpe\", \"path\": \"" + tj + "\"}, \"valFraction\": 0.1,"
        + "\"sources\": [{\"name\": \"english\", \"synthetic\": \"english\", \"documents\": 400, \"weight\": 3,"
        + " \"epochs\": 5}, {\"name\": \"code\", \"synthetic\": \"code\", \"documents\": 400, \"weight\": 1,"
        + " \"epochs\": 5}]}");
    Path data = tmp.resolve("prepared");
    Preparer.prepare(Preparer.load(mix), data, s -> { });
    String[] sets = {"data.prepared=" + data, "model.vocabSize=null", "train.steps=20", "train.evalEvery=10",
        "train.checkpointEvery=10"};
    assertEquals(320, TinyRuns.tiny(sets).model().vocabSize(), "vocab follows the dataset's tokenizer");
    try (PluginRegistry reg = TinyRuns.registry()) {
      Runs.Prepared a = Runs.create(TinyRuns.tiny(sets), reg, tmp.resolve("a"), new EventBus());
      Runs.execute(a);
      Path dirA = a.run().directory().root();
      List<Double> lossA = TrainerEndToEndTest.stepLosses(dirA);
      RunEvent.Data lastA = lastData(dirA);
      assertEquals(List.of("code", "english"), lastA.epochs().keySet().stream().sorted().toList());
      assertTrue(lastA.epochs().get("english") > lastA.epochs().get("code") * 1.5, lastA.toString());
      for (String s : List.of("english", "code")) {
        double bpb = lastA.valBpb().get(s);
        assertTrue(bpb > 0 && bpb < 8, s + " bits per byte " + bpb);
      }
      double first = lossA.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = lossA.subList(17, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(last < first - 0.5, "loss should fall: " + first + " -> " + last);

      Runs.Prepared c = Runs.create(TinyRuns.tiny(sets), reg, tmp.resolve("c"), new EventBus());
      c.run().events().subscribe(e -> {
        if (e instanceof RunEvent.Step s && s.step() == 10) {
          c.trainer().requestStop();
        }
      });
      Runs.execute(c);
      Path dirC = c.run().directory().root();
      Runs.execute(Runs.resume(dirC, reg, new EventBus(), false));
      List<Double> lossC = TrainerEndToEndTest.stepLosses(dirC);
      for (int i = 10; i < 20; i++) {
        assertEquals(lossA.get(i), lossC.get(i), 1e-6, "step " + (i + 1));
      }
      assertEquals(lastA.epochs(), lastData(dirC).epochs());
    }
  }

  private static RunEvent.Data lastData(Path dir) throws Exception {
    return MetricsReader.read(dir.resolve("metrics.jsonl")).stream().filter(e -> e instanceof RunEvent.Data)
        .map(e -> (RunEvent.Data) e).reduce((x, y) -> y).orElseThrow();
  }
}
