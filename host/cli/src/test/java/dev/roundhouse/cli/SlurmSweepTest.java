package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm executor against a real Slurm (a single-node one from .ci/slurm-up.sh on CI): a 4-trial sweep is one job
 * array whose tasks run the headless host from this build, every trial finishes and is reported; a trial that fails
 * at run time is reported by {@code sweep status} with its log tail. Skips, saying why, when no Slurm answers.
 */
class SlurmSweepTest {
  @TempDir Path tmp;

  @BeforeAll
  static void slurmAnswers() throws Exception {
    String why;
    try {
      Process p = new ProcessBuilder("sinfo", "-h", "-o", "%T").redirectErrorStream(true).start();
      boolean ended = p.waitFor(20, TimeUnit.SECONDS);
      String out = new String(p.getInputStream().readAllBytes()).strip();
      why = !ended ? "sinfo did not answer in 20 s" : p.exitValue() != 0 ? "sinfo failed: " + out
          : out.isEmpty() ? "sinfo lists no nodes" : null;
    } catch (java.io.IOException e) {
      why = "sinfo not found (" + e.getMessage() + ")";
    }
    Assumptions.assumeTrue(why == null, "no Slurm reachable (" + why + "); .ci/slurm-up.sh starts one as root");
    String cluster = clusterName();
    Assumptions.assumeTrue("roundhouse".equals(cluster) || "1".equals(System.getenv("ROUNDHOUSE_SLURM_TEST_ANY_CLUSTER")),
        "Slurm cluster '" + cluster + "' is not the local single-node one of .ci/slurm-up.sh (ClusterName=roundhouse);"
            + " set ROUNDHOUSE_SLURM_TEST_ANY_CLUSTER=1 to submit this test's small jobs to it anyway");
  }

  /** ClusterName from {@code scontrol show config}, or null when it cannot be read. */
  private static String clusterName() throws Exception {
    Process p = new ProcessBuilder("scontrol", "show", "config").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return null;
    }
    for (String line : out.split("\n")) {
      String[] kv = line.split("=", 2);
      if (kv.length == 2 && kv[0].strip().equals("ClusterName")) {
        return kv[1].strip();
      }
    }
    return null;
  }

  /** A failed assertion must not leave this test's tasks running (they would write into deleted temp folders). */
  @AfterEach
  void cancelLeftovers() throws Exception {
    for (String name : new String[] {"slurm4", "fail", "requeue"}) {
      Process p = new ProcessBuilder("scancel", "--name=roundhouse-" + name).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFourTrialSweepRunsAsOneJobArray() {
    Path file = SweepFiles.routerSweep(tmp, "slurm4", 6, 3, 3,
        ", \"slurm\": {\"cpusPerTask\": 1, \"time\": \"00:10:00\", \"javaOptions\": [\"-Xmx512m\"]}");
    Path out = tmp.resolve("slurm4");
    MainTest.Result r = MainTest.main("sweep", file.toString(), "--executor", "slurm", "--out", out.toString(),
        "--wait", "--plugins", MainTest.plugins());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("submitted job array"), r.out());
    assertTrue(r.out().contains("4 of 4 done, 0 failed"), r.out());
    String script = readQuietly(out.resolve("slurm/array.sbatch"));
    assertTrue(script.contains("#SBATCH --array=0-3") && script.contains("#SBATCH --cpus-per-task=1")
        && script.contains("#SBATCH --requeue"), script);
    String job = Json.read(out.resolve("slurm/job.json")).path("job_id").asText();
    for (int i = 0; i < 4; i++) {
      String id = String.format("trial-%03d", i);
      List<RunEvent> ev = MetricsReader.read(out.resolve(id).resolve("metrics.jsonl"));
      assertTrue(ev.get(ev.size() - 1) instanceof RunEvent.RunFinished, id + ": " + ev.get(ev.size() - 1));
      assertTrue(readQuietly(out.resolve("logs").resolve(id + ".log")).contains("== roundhouse trial " + i + ": job "
          + job + "_" + i), id + " log");
    }
    JsonNode report = Json.read(out.resolve("report.json"));
    assertEquals(4, report.path("trials").size());
    report.path("trials").forEach(t -> assertEquals("done", t.path("status").asText(), t.toString()));
  }

  @Test
  void aFailedTaskIsReportedWithItsLogTail() {
    Path file = SweepFiles.write(tmp.resolve("fail.json"), "{\"name\": \"fail\", \"set\": "
        + String.format(SweepFiles.TINY_SET, 4, 2, 2) + ", \"axes\": [{\"path\": \"data.path\", \"values\": [\""
        + tmp.resolve("no-such-corpus.txt") + "\"]}], \"slurm\": {\"cpusPerTask\": 1, \"javaOptions\": [\"-Xmx512m\"]}}");
    Path out = tmp.resolve("fail");
    MainTest.Result r = MainTest.main("sweep", file.toString(), "--executor", "slurm", "--out", out.toString(),
        "--wait", "--plugins", MainTest.plugins());
    assertEquals(ExitCodes.RUN_FAILED, r.code(), r.out() + r.err());
    MainTest.Result status = MainTest.main("sweep", "status", out.toString());
    assertEquals(ExitCodes.RUN_FAILED, status.code(), status.out() + status.err());
    assertTrue(status.out().contains("0 of 1 done, 1 failed"), status.out());
    assertTrue(status.out().contains("log tail (logs/trial-000.log)") && status.out().contains("no-such-corpus.txt"),
        status.out());
  }

  @Test
  void aRequeuedTaskResumesFromItsCheckpoint() throws Exception {
    Path file = SweepFiles.routerSweep(tmp, "requeue", 60, 30, 2,
        ", \"budget\": 1, \"slurm\": {\"cpusPerTask\": 1, \"javaOptions\": [\"-Xmx512m\"]}");
    Path out = tmp.resolve("requeue");
    MainTest.Result r = MainTest.main("sweep", file.toString(), "--executor", "slurm", "--out", out.toString(),
        "--plugins", MainTest.plugins());
    assertEquals(0, r.code(), r.out() + r.err());
    String job = Json.read(out.resolve("slurm/job.json")).path("job_id").asText();
    Path ckpts = out.resolve("trial-000").resolve("checkpoints");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!SweepLocalTest.hasCheckpoint(ckpts) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertTrue(SweepLocalTest.hasCheckpoint(ckpts), "a checkpoint within 180 s");
    Process q = new ProcessBuilder("scontrol", "requeue", job + "_0").redirectErrorStream(true).start();
    assertTrue(q.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, q.exitValue(), new String(q.getInputStream().readAllBytes()));
    releaseWhenPending(job + "_0"); // Slurm holds a requeued job back (BeginTime) for a while; a test need not wait
    MainTest.Result status;
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    do {
      Thread.sleep(2000);
      status = MainTest.main("sweep", "status", out.toString());
    } while (status.code() != 0 && System.nanoTime() < deadline);
    assertEquals(0, status.code(), status.out() + status.err());
    List<RunEvent> ev = MetricsReader.read(out.resolve("trial-000").resolve("metrics.jsonl"));
    List<RunEvent> starts = ev.stream().filter(e -> e instanceof RunEvent.RunStarted).toList();
    assertEquals(2, starts.size(), "started, then resumed after the requeue");
    assertTrue(starts.get(1).step() > 0, "resumed from a checkpoint, not from step 0");
    assertTrue(ev.get(ev.size() - 1) instanceof RunEvent.RunFinished);
    assertEquals(60, ev.get(ev.size() - 1).step());
    assertTrue(readQuietly(out.resolve("logs/trial-000.log")).contains("(restart 1)"), "the requeued run's log");
  }

  /** Once the task is pending again, lets it start now instead of at the begin time Slurm gives a requeued job. */
  static void releaseWhenPending(String task) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Process q = new ProcessBuilder("squeue", "-h", "-j", task, "-o", "%T").redirectErrorStream(true).start();
      String state = new String(q.getInputStream().readAllBytes()).strip();
      q.waitFor(20, TimeUnit.SECONDS);
      if (state.equals("PENDING")) {
        // slurmd refuses a launch whose credential is from the same second as the requeue's kill ("Job credential
        // revoked"; its times have one-second resolution), which a requeued job's own begin delay avoids: wait that out
        Thread.sleep(3000);
        Process u = new ProcessBuilder("scontrol", "update", "JobId=" + task, "StartTime=now").redirectErrorStream(true)
            .start();
        u.getInputStream().readAllBytes();
        u.waitFor(20, TimeUnit.SECONDS);
        return;
      }
      Thread.sleep(500);
    }
  }

  static String readQuietly(Path f) {
    try {
      return Files.readString(f);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
