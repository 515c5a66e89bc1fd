package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.RunDirectoryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real training of a tiny MoE through the real plugin jars: loss falls, records, determinism, resume. */
class TrainerEndToEndTest {
  @TempDir Path runs;

  static List<Double> stepLosses(Path runDir) throws Exception {
    return MetricsReader.read(runDir.resolve("metrics.jsonl")).stream()
        .filter(e -> e instanceof RunEvent.Step).map(e -> ((RunEvent.Step) e).loss()).toList();
  }

  static Path train(PluginRegistry reg, Path root, String... overrides) {
    Runs.Prepared p = Runs.create(TinyRuns.tiny(overrides), reg, root, new EventBus());
    Runs.execute(p);
    return p.run().directory().root();
  }

  @Test
  void trainsAndWritesTheRunDirectory() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Path dir = train(reg, runs);
      for (String f : List.of("config.json", "provenance.json", "metrics.jsonl")) {
        assertTrue(Files.isRegularFile(dir.resolve(f)), f);
      }
      assertTrue(Files.isDirectory(dir.resolve("checkpoints/step-000030")));
      List<Double> losses = stepLosses(dir);
      assertEquals(30, losses.size());
      double first = losses.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = losses.subList(27, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(first > 5.0 && last < first - 1.0, "loss should fall from ~ln 256: " + first + " -> " + last);
      List<RunEvent> events = MetricsReader.read(dir.resolve("metrics.jsonl"));
      assertTrue(events.get(0) instanceof RunEvent.RunStarted);
      assertTrue(events.get(events.size() - 1) instanceof RunEvent.RunFinished);
      RunEvent.ExpertLoad load = events.stream().filter(e -> e instanceof RunEvent.ExpertLoad)
          .map(e -> (RunEvent.ExpertLoad) e).reduce((a, b) -> b).orElseThrow();
      assertEquals(1, load.layers().size());
      // 4 sequences x 16 tokens x top-2 = 128 assignments in the last step's window
      assertEquals(128, java.util.Arrays.stream(load.layers().get(0).tokensPerExpert()).sum());
      assertNotNull(load.layers().get(0).perDomainTokens());
      String prov = Files.readString(dir.resolve("provenance.json"));
      assertTrue(prov.contains("roundhouse-routers"), prov);
    }
  }

  @Test
  void sameSeedGivesIdenticalLossesAndResumeContinuesExactly() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      List<Double> a = stepLosses(train(reg, runs.resolve("a")));
      List<Double> b = stepLosses(train(reg, runs.resolve("b")));
      assertEquals(a, b, "same config and seed must give identical losses");

      // Interrupt after step 10 (its checkpoint), then resume to the end.
      Runs.Prepared p = Runs.create(TinyRuns.tiny(), reg, runs.resolve("c"), new EventBus());
      p.run().events().subscribe(e -> {
        if (e instanceof RunEvent.Step s && s.step() == 10) {
          p.trainer().requestStop();
        }
      });
      Trainer.Outcome stopped = Runs.execute(p);
      assertTrue(stopped.stopped());
      assertEquals(10, stopped.step());
      Path dir = p.run().directory().root();
      Runs.Prepared r = Runs.resume(dir, reg, new EventBus(), false);
      assertEquals(10, r.startStep());
      Runs.execute(r);
      List<Double> resumed = stepLosses(dir);
      assertEquals(30, resumed.size());
      for (int i = 10; i < 30; i++) {
        assertEquals(a.get(i), resumed.get(i), 1e-6, "step " + (i + 1));
      }
    }
  }

  @Test
  void resumingWithAChangedConfigIsRefusedNamingTheKey() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      Path dir = train(reg, runs, "train.steps=10");
      Path cfg = dir.resolve("config.json");
      Files.writeString(cfg, Files.readString(cfg).replace("\"lr\": 0.01", "\"lr\": 0.02"));
      RunDirectoryException e = assertThrows(RunDirectoryException.class,
          () -> Runs.resume(dir, reg, new EventBus(), false));
      assertTrue(e.getMessage().contains("optimizer.lr"), e.getMessage());
    }
  }
}
