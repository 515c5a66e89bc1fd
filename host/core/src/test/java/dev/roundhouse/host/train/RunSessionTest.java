package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's run session: one reused training thread, stop before and during training, failures rethrown. */
class RunSessionTest {
  @TempDir Path runs;

  @Test
  void everyRunTrainsOnTheOneTrainingThreadAndEndsWithItsOutcome() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (PluginRegistry reg = TinyRuns.registry()) {
      for (int i = 0; i < 2; i++) {
        EventBus bus = new EventBus();
        bus.subscribe(e -> {
          if (e instanceof RunEvent.Step) {
            threads.add(Thread.currentThread().getName());
          }
        });
        RunSession.LiveRun live = RunSession.start(TinyRuns.tiny("name=s" + i, "train.steps=3"), reg, runs, bus,
            p -> threads.add(Thread.currentThread().getName()));
        Trainer.Outcome outcome = live.await();
        assertFalse(outcome.stopped());
        assertEquals(3, outcome.step());
      }
    }
    assertEquals(Set.of("roundhouse-train"), threads, "built and trained on the one session thread");
  }

  @Test
  void stopBeforeTheRunIsBuiltStopsItAtItsFirstStepWithACheckpoint() throws Exception {
    try (PluginRegistry reg = TinyRuns.registry()) {
      RunSession.LiveRun live = RunSession.start(TinyRuns.tiny("name=stopped"), reg, runs, new EventBus(), p -> { });
      live.stop();
      Trainer.Outcome outcome = live.await();
      assertTrue(outcome.stopped(), "stopped");
      assertTrue(outcome.step() < 30, "before the end: " + outcome.step());
      Path dir = live.awaitPrepared().run().directory().root();
      try (var files = Files.list(dir.resolve("checkpoints"))) {
        assertTrue(files.findAny().isPresent(), "a checkpoint was written when stopping");
      }
    }
  }

  @Test
  void aRunThatCannotBeBuiltRethrowsItsConfigError() {
    try (PluginRegistry reg = TinyRuns.registry()) {
      RunSession.LiveRun live = RunSession.start(TinyRuns.tiny("optimizer.type=nadamw"), reg, runs, new EventBus(),
          p -> { });
      ConfigException e = assertThrows(ConfigException.class, live::awaitPrepared);
      assertTrue(e.getMessage().contains("optimizer.type"), e.getMessage());
      assertThrows(ConfigException.class, live::await);
      assertEquals(List.of(), List.of(runs.toFile().list()), "no run directory for a config that is not valid");
    }
  }
}
