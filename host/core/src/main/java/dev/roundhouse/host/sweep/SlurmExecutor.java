package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.run.AtomicFiles;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a sweep on Slurm as one job array: {@link #submit} writes {@code slurm/array.sbatch} (one array task per
 * unfinished trial, each running the ordinary headless host, {@code roundhouse sweep trial DIR $SLURM_ARRAY_TASK_ID},
 * from the shared filesystem) and submits it with {@code sbatch}; {@link #states} joins {@code squeue} (and {@code
 * sacct} when accounting is on) with the run directories; {@link #cancel} calls {@code scancel}. Tasks are
 * {@code --requeue}able: a requeued (preempted) task resumes its trial from its newest checkpoint, and Slurm's
 * SIGTERM before a kill makes the trial write one. The Slurm commands are taken from the PATH, or from the folder
 * named by {@code -Droundhouse.slurm.bin} / {@code ROUNDHOUSE_SLURM_BIN}. Stateless apart from {@code
 * slurm/job.json}; not thread-safe.
 */
public final class SlurmExecutor {
  /** A Slurm command that could not run or failed; the message names the executor and the command. */
  public static final class SlurmException extends RuntimeException {
    public SlurmException(String message) {
      super(message);
    }
  }

  /** Slurm job states of a task that has not ended. */
  static final java.util.Set<String> ACTIVE = java.util.Set.of("PENDING", "RUNNING", "CONFIGURING", "COMPLETING",
      "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SUSPENDED", "STAGE_OUT", "SIGNALING");

  private final SweepFolder folder;

  public SlurmExecutor(SweepFolder folder) {
    this.folder = folder;
  }

  /**
   * The batch script for the given trial indices. {@code trialCommand} is the command after the java options:
   * class path, main class and {@code sweep trial DIR} (the array index is appended).
   */
  public String script(SlurmOptions o, List<Integer> indices, List<String> javaOptions, List<String> trialCommand,
      Map<String, String> env) {
    StringBuilder b = new StringBuilder("#!/bin/bash\n");
    Path logs = folder.root().resolve("logs");
    b.append("#SBATCH --job-name=roundhouse-").append(folder.id()).append('\n');
    b.append("#SBATCH --array=").append(ranges(indices)).append(o.maxParallel() == null ? "" : "%" + o.maxParallel())
        .append('\n');
    b.append("#SBATCH --output=").append(logs.resolve("trial-%3a.log")).append('\n');
    b.append("#SBATCH --open-mode=append\n");
    b.append("#SBATCH --requeue\n");
    b.append("#SBATCH --signal=B:TERM@120\n"); // checkpoint two minutes before the time limit
    b.append("#SBATCH --ntasks=1\n");
    line(b, "partition", o.partition());
    line(b, "time", o.time());
    line(b, "cpus-per-task", o.cpusPerTask() == null ? null : String.valueOf(o.cpusPerTask()));
    line(b, "mem", o.mem());
    line(b, "gres", o.gres());
    for (String x : o.extra()) {
      b.append("#SBATCH ").append(x).append('\n');
    }
    b.append("set -eo pipefail\n");
    b.append("cd ").append(sh(Path.of("").toAbsolutePath().toString())).append('\n');
    for (Map.Entry<String, String> e : env.entrySet()) {
      b.append("export ").append(e.getKey()).append('=').append(sh(e.getValue())).append('\n');
    }
    if (o.setup() != null) {
      b.append(o.setup()).append('\n');
    }
    b.append("echo \"== roundhouse trial $SLURM_ARRAY_TASK_ID: job ${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID"
        + " (id $SLURM_JOB_ID) on $(hostname) at $(date -u +%FT%TZ)"
        + " (restart ${SLURM_RESTART_COUNT:-0})\"\n");
    List<String> cmd = new ArrayList<>();
    cmd.add(o.java() == null ? javaOfThisJvm() : o.java());
    cmd.addAll(javaOptions);
    cmd.addAll(trialCommand);
    b.append("exec ").append(cmd.stream().map(SlurmExecutor::sh).collect(Collectors.joining(" ")))
        .append(" \"$SLURM_ARRAY_TASK_ID\"\n");
    return b.toString();
  }

  /** Submits the script; returns the job id and records it in slurm/job.json. */
  public String submit(String script, List<Integer> indices) {
    Path dir = folder.slurmDir();
    Path file = dir.resolve("array.sbatch");
    try {
      Files.createDirectories(dir);
      Files.createDirectories(folder.root().resolve("logs"));
      AtomicFiles.writeString(file, script);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    Cmd r = exec(List.of("sbatch", "--parsable", file.toString()), 60);
    if (r.code != 0) {
      throw new SlurmException("slurm executor: sbatch failed (exit " + r.code + "): " + r.out.strip());
    }
    String jobId = r.out.strip().split("[;\\s]")[0];
    if (!jobId.matches("\\d+")) {
      throw new SlurmException("slurm executor: sbatch printed no job id: " + r.out.strip());
    }
    ObjectNode job = Json.mapper().createObjectNode();
    job.put("job_id", jobId);
    job.put("submitted", Instant.now().toString());
    indices.forEach(job.putArray("indices")::add);
    try {
      AtomicFiles.writeString(dir.resolve("job.json"), Json.pretty(job));
    } catch (IOException e) {
      throw new UncheckedIOException(dir.resolve("job.json") + ": " + e.getMessage(), e);
    }
    return jobId;
  }

  /** The job id of the last submission, or null. */
  public String jobId() {
    Path f = folder.slurmDir().resolve("job.json");
    return Files.isRegularFile(f) ? Json.read(f).path("job_id").asText(null) : null;
  }

  /** Array index to Slurm state (PENDING, RUNNING, COMPLETED, FAILED, ...) for the last job; empty if none. */
  public Map<Integer, String> states() {
    String job = jobId();
    Map<Integer, String> out = new LinkedHashMap<>();
    if (job == null) {
      return out;
    }
    Cmd acct = exec(List.of("sacct", "-n", "-P", "-X", "-j", job, "-o", "JobID,State"), 30);
    if (acct.code == 0) {
      parse(acct.out, job, "\\|", out);
    }
    Cmd q = exec(List.of("squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%i %T"), 30);
    if (q.code == 0) {
      parse(q.out, job, "\\s+", out);
    }
    return out;
  }

  /** True while the last job has array tasks in the queue (pending or running). */
  public boolean active() {
    String job = jobId();
    if (job == null) {
      return false;
    }
    Cmd q = exec(List.of("squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%i %T"), 30);
    if (q.code != 0) {
      return false;
    }
    for (String l : q.out.split("\n")) {
      String[] f = l.strip().split("\\s+");
      if (f.length == 2 && f[0].startsWith(job + "_") && ACTIVE.contains(f[1])) {
        return true;
      }
    }
    return false;
  }

  /** scancel of the last job: Slurm sends SIGTERM, each trial writes a checkpoint and exits. */
  public String cancel() {
    String job = jobId();
    if (job == null) {
      throw new SlurmException("slurm executor: " + folder.root() + " has no submitted job (slurm/job.json)");
    }
    Cmd r = exec(List.of("scancel", "--signal=TERM", "--full", job), 30);
    if (r.code != 0) {
      throw new SlurmException("slurm executor: scancel " + job + " failed (exit " + r.code + "): " + r.out.strip());
    }
    exec(List.of("scancel", job), 30); // and take the pending tasks out of the queue
    return job;
  }

  private static void parse(String text, String job, String sep, Map<Integer, String> out) {
    for (String l : text.split("\n")) {
      String[] f = l.strip().split(sep);
      if (f.length < 2 || !f[0].startsWith(job + "_")) {
        continue;
      }
      String idx = f[0].substring(job.length() + 1);
      if (idx.matches("\\d+")) {
        out.put(Integer.parseInt(idx), f[1].split(" ")[0]);
      }
    }
  }

  /** Whether sbatch is on the PATH (for the error message before anything is written). */
  public static boolean available() {
    return exec(List.of("sbatch", "--version"), 20).code == 0;
  }

  private static void line(StringBuilder b, String key, String value) {
    if (value != null) {
      b.append("#SBATCH --").append(key).append('=').append(value).append('\n');
    }
  }

  /** "0-3,5,7-9" for sorted indices. */
  static String ranges(List<Integer> idx) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < idx.size(); ) {
      int j = i;
      while (j + 1 < idx.size() && idx.get(j + 1) == idx.get(j) + 1) {
        j++;
      }
      b.append(b.length() == 0 ? "" : ",").append(idx.get(i)).append(j > i ? "-" + idx.get(j) : "");
      i = j + 1;
    }
    return b.toString();
  }

  static String sh(String s) {
    return s.matches("[A-Za-z0-9_./:=@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  static String javaOfThisJvm() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  record Cmd(int code, String out) {}

  /** Runs a Slurm command; a missing command is a SlurmException naming the executor. */
  static Cmd exec(List<String> cmd, int timeoutS) {
    Process p;
    List<String> full = new ArrayList<>(cmd);
    String prefix = System.getProperty("roundhouse.slurm.bin", System.getenv().getOrDefault("ROUNDHOUSE_SLURM_BIN", ""));
    if (!prefix.isEmpty()) {
      full.set(0, Path.of(prefix, cmd.get(0)).toString());
    }
    try {
      p = new ProcessBuilder(full).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new SlurmException("slurm executor: " + cmd.get(0) + " not found (" + e.getMessage()
          + "); run on a Slurm login node, or use --executor local");
    }
    try (InputStream in = p.getInputStream()) {
      p.getOutputStream().close();
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Cmd(124, out);
      }
      return new Cmd(p.exitValue(), out);
    } catch (IOException e) {
      return new Cmd(1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Cmd(1, "interrupted");
    }
  }
}
