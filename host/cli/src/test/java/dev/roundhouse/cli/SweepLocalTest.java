package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local executor with real child processes of the headless host: a 4-trial sweep (2 routers x 2 seeds) runs two
 * trials at a time, each an ordinary run directory with the sweep in its provenance, stops at its target, and is
 * reported (JSON, CSV, SVG); a rerun skips every finished trial; SIGTERM to the sweep process (as Ctrl-C) makes its
 * running trial write a checkpoint and exit, and the next sweep command resumes it from there.
 */
class SweepLocalTest {
  @TempDir Path tmp;

  static List<RunEvent> events(Path dir) {
    return MetricsReader.read(dir.resolve("metrics.jsonl"));
  }

  static long count(List<RunEvent> events, Class<?> type) {
    return events.stream().filter(type::isInstance).count();
  }

  @Test
  void fourTrialsRunSideBySideStopAtTheTargetAndARerunSkipsThem() throws IOException {
    Path file = SweepFiles.routerSweep(tmp, "tiny", 6, 3, 3, ", \"target\": {\"metric\": \"val_loss\", \"atMost\": 100}");
    Path out = tmp.resolve("out");
    String[] cmd = {"sweep", file.toString(), "--out", out.toString(), "--threads", "2", "--plugins",
        MainTest.plugins()};
    MainTest.Result r = MainTest.main(cmd);
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("4 done, 0 failed, 0 left"), r.out());

    JsonNode sweep = Json.read(out.resolve("sweep.json"));
    assertEquals(4, sweep.path("trials").size());
    for (JsonNode t : sweep.path("trials")) {
      Path dir = out.resolve(t.path("dir").asText());
      List<RunEvent> ev = events(dir);
      assertTrue(ev.get(ev.size() - 1) instanceof RunEvent.RunFinished, dir + ": " + ev.get(ev.size() - 1));
      RunEvent.TargetReached target = (RunEvent.TargetReached) ev.stream()
          .filter(e -> e instanceof RunEvent.TargetReached).findFirst().orElseThrow();
      assertEquals(3, target.step(), "the first evaluation reaches val_loss <= 100");
      JsonNode prov = Json.read(dir.resolve("provenance.json"));
      assertEquals("tiny", prov.path("sweep").path("id").asText());
      assertEquals(t.path("point"), prov.path("sweep").path("point"));
      JsonNode cfg = Json.read(dir.resolve("config.json"));
      assertEquals(t.path("point").path("model.moe.router").path("type").asText(),
          cfg.path("model").path("moe").path("router").path("type").asText());
      assertEquals(t.path("point").path("seed").asLong(), cfg.path("seed").asLong());
    }
    assertEquals("sigmoid-topk", sweep.path("trials").get(2).path("point").path("model.moe.router").path("type")
        .asText());

    JsonNode report = Json.read(out.resolve("report.json"));
    assertEquals(List.of("model.moe.router", "seed"), List.of(report.path("axes").get(0).asText(),
        report.path("axes").get(1).asText()));
    for (JsonNode row : report.path("trials")) {
      assertEquals("done", row.path("status").asText());
      assertEquals(3 * 2 * 16, row.path("tokens_to_target").asLong()); // step 3 x batch 2 x seqLen 16
      assertEquals("target_reached", row.path("target_source").asText());
      assertTrue(row.path("best_val_loss").asDouble() > 0 && row.path("tokens_per_s").asDouble() > 0, row.toString());
      assertTrue(row.has("worst_cv_pct") && row.has("min_entropy") && row.has("dead_experts"), row.toString());
    }
    assertEquals(5, Files.readAllLines(out.resolve("report.csv")).size());
    for (String plot : List.of("model.moe.router.svg", "seed.svg")) {
      String svg = Files.readString(out.resolve("plots").resolve(plot));
      assertEquals(4, svg.split("<circle", -1).length - 1, plot);
    }

    MainTest.Result again = MainTest.main(cmd);
    assertEquals(0, again.code(), again.out() + again.err());
    assertTrue(again.out().contains("4 of 4 trials already finished; skipped"), again.out());
    for (JsonNode t : sweep.path("trials")) {
      assertEquals(1, count(events(out.resolve(t.path("dir").asText())), RunEvent.RunStarted.class));
    }
    MainTest.Result status = MainTest.main("sweep", "status", out.toString());
    assertEquals(0, status.code(), status.out() + status.err());
    assertTrue(status.out().contains("4 of 4 done, 0 failed"), status.out());
  }

  @Test
  void sigtermToTheSweepCheckpointsItsTrialsAndTheNextSweepResumesThem() throws Exception {
    Path file = SweepFiles.routerSweep(tmp, "resume", 40, 20, 2, ", \"budget\": 1");
    Path out = tmp.resolve("resume");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "sweep", file.toString(),
        "--out", out.toString(), "--threads", "1", "--plugins", MainTest.plugins()));
    Process sweep = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("sweep.log").toFile()).start();
    Path ckpts = out.resolve("trial-000").resolve("checkpoints");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!hasCheckpoint(ckpts) && sweep.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(hasCheckpoint(ckpts), "a checkpoint within 120 s: " + Files.readString(tmp.resolve("sweep.log")));
    sweep.destroy(); // SIGTERM to the sweep process only (Ctrl-C would reach the trials too): it stops its trials
    assertTrue(sweep.waitFor(120, TimeUnit.SECONDS));
    String log = Files.readString(tmp.resolve("sweep.log"));
    assertTrue(log.contains("interrupted trial-000"), log);
    List<RunEvent> first = events(out.resolve("trial-000"));
    RunEvent.Checkpoint lastCkpt = (RunEvent.Checkpoint) first.stream().filter(e -> e instanceof RunEvent.Checkpoint)
        .reduce((a, b) -> b).orElseThrow();
    assertEquals(0, count(first, RunEvent.RunFinished.class), "stopped before the end");
    MainTest.Result status = MainTest.main("sweep", "status", out.toString());
    assertTrue(status.out().contains("interrupted"), "the trial process is gone, its run not finished: "
        + status.out());

    MainTest.Result r = MainTest.main("sweep", file.toString(), "--out", out.toString(), "--threads", "1",
        "--plugins", MainTest.plugins());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("resuming trial-000"), r.out());
    List<RunEvent> all = events(out.resolve("trial-000"));
    List<RunEvent> starts = all.stream().filter(e -> e instanceof RunEvent.RunStarted).toList();
    assertEquals(2, starts.size());
    assertEquals(lastCkpt.step(), starts.get(1).step(), "resumed from the checkpoint written on SIGTERM");
    assertTrue(starts.get(1).step() > 0);
    assertEquals(40, all.get(all.size() - 1).step());
    assertTrue(all.get(all.size() - 1) instanceof RunEvent.RunFinished);
  }

  static boolean hasCheckpoint(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(x -> x.getFileName().toString().startsWith("step-"));
    }
  }
}
