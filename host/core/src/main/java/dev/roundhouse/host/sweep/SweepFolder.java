package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.run.AtomicFiles;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A sweep on disk (format in docs/sweeps.md):
 * <pre>
 * SWEEP/sweep.json          id, axes, target, executor and every trial (id, index, point)
 * SWEEP/trials/trial-000.json the run config each trial starts from
 * SWEEP/trial-000/          an ordinary run directory (config.json, provenance.json with "sweep", metrics.jsonl, ...)
 * SWEEP/logs/trial-000.log  the trial process's output (local and Slurm)
 * SWEEP/slurm/              array.sbatch and job.json (Slurm executor)
 * SWEEP/report.json, report.csv, plots/*.svg   written by `roundhouse sweep report`
 * SWEEP/.sweep.lock         OS-locked while a sweep command submits or runs trials here
 * </pre>
 * Not thread-safe; one writer process (the lock).
 */
public final class SweepFolder implements AutoCloseable {
  public static final String SWEEP_FILE = "sweep.json";
  public static final String LOCK_FILE = ".sweep.lock";

  private final Path root;
  private FileChannel lockChannel;
  private FileLock lock;

  private SweepFolder(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** A folder to read (status, report, trial runs); takes no lock. */
  public static SweepFolder open(Path root) {
    SweepFolder f = new SweepFolder(root);
    if (!Files.isRegularFile(f.sweepFile())) {
      throw new ConfigException(root + ": not a sweep folder (no " + SWEEP_FILE + ")");
    }
    return f;
  }

  /**
   * Takes the folder for a sweep command (creating it), or fails naming the holder when another sweep command has
   * it; then writes sweep.json and the trial configs, or checks that the ones there are the same sweep.
   */
  public static SweepFolder claim(Path root, SweepPlan plan, String source, String executor) {
    SweepFolder f = new SweepFolder(root);
    try {
      Files.createDirectories(f.root);
      f.lock();
    } catch (IOException e) {
      throw new UncheckedIOException(root + ": " + e.getMessage(), e);
    }
    try {
      f.writeOrCheck(plan, source, executor);
      return f;
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  private void lock() throws IOException {
    FileChannel ch = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      String holder = Files.readString(root.resolve(LOCK_FILE), StandardCharsets.UTF_8).strip();
      ch.close();
      throw new ConfigException(root + ": another sweep command is using this folder ("
          + (holder.isEmpty() ? "holder unknown" : holder) + "); wait for it, or give this sweep another --out");
    }
    ch.truncate(0);
    ch.write(ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + " since=" + Instant.now() + "\n")
        .getBytes(StandardCharsets.UTF_8)), 0);
    lockChannel = ch;
    lock = l;
  }

  private void writeOrCheck(SweepPlan plan, String source, String executor) {
    SweepSpec spec = plan.spec();
    if (Files.isRegularFile(sweepFile())) {
      JsonNode old = Json.read(sweepFile());
      ArrayNode trials = (ArrayNode) old.path("trials");
      String why = null;
      if (!old.path("id").asText().equals(spec.name())) {
        why = "it holds sweep \"" + old.path("id").asText() + "\"";
      } else if (trials.size() != plan.trials().size()) {
        why = "it holds " + trials.size() + " trials, this sweep plans " + plan.trials().size();
      } else {
        for (Trial t : plan.trials()) {
          JsonNode stored = Files.isRegularFile(trialConfigFile(t.id())) ? Json.read(trialConfigFile(t.id())) : null;
          if (stored == null || !Json.pretty(Json.parse(Json.pretty(t.config()), "plan")).equals(Json.pretty(stored))) {
            why = t.id() + "'s config differs (" + t.describe() + ")";
            break;
          }
        }
      }
      if (why != null) {
        throw new ConfigException(root + ": this folder holds a different sweep: " + why
            + "; give this sweep another --out (or delete the folder)");
      }
      ObjectNode o = (ObjectNode) old;
      o.put("executor", executor);
      write(o);
      return;
    }
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("format", 1);
    o.put("id", spec.name());
    o.put("created", Instant.now().toString());
    o.put("source", source);
    o.put("executor", executor);
    ArrayNode axes = o.putArray("axes");
    LinkedHashSet<String> paths = new LinkedHashSet<>();
    spec.axes().forEach(a -> paths.addAll(a.paths()));
    if (!spec.seeds().isEmpty()) {
      paths.add("seed");
    }
    paths.forEach(axes::add);
    ArrayNode logAxes = o.putArray("logAxes");
    spec.axes().stream().filter(a -> a instanceof Axis.Random r && r.distribution().equals("logUniform"))
        .forEach(a -> logAxes.add(a.paths().get(0)));
    if (spec.target() != null) {
      ObjectNode t = o.putObject("target");
      t.put("metric", spec.target().metric());
      t.put("atMost", spec.target().atMost());
      t.put("stop", spec.stopAtTarget());
    }
    ArrayNode trials = o.putArray("trials");
    for (Trial t : plan.trials()) {
      ObjectNode n = trials.addObject();
      n.put("index", t.index());
      n.put("id", t.id());
      n.put("dir", t.id());
      n.set("point", t.pointNode());
    }
    try {
      Files.createDirectories(root.resolve("trials"));
      for (Trial t : plan.trials()) {
        AtomicFiles.writeString(trialConfigFile(t.id()), Json.pretty(t.config()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(root + ": " + e.getMessage(), e);
    }
    write(o);
  }

  private void write(ObjectNode sweep) {
    try {
      AtomicFiles.writeString(sweepFile(), Json.pretty(sweep));
    } catch (IOException e) {
      throw new UncheckedIOException(sweepFile() + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  public Path sweepFile() {
    return root.resolve(SWEEP_FILE);
  }

  /** sweep.json as a tree. */
  public JsonNode sweep() {
    return Json.read(sweepFile());
  }

  public String id() {
    return sweep().path("id").asText();
  }

  /** The trial entries of sweep.json ({@code index}, {@code id}, {@code dir}, {@code point}), in index order. */
  public List<JsonNode> trials() {
    List<JsonNode> out = new ArrayList<>();
    sweep().path("trials").forEach(out::add);
    return out;
  }

  /** The trial entry with this index or id. */
  public JsonNode trial(String indexOrId) {
    for (JsonNode t : trials()) {
      if (t.path("id").asText().equals(indexOrId) || String.valueOf(t.path("index").asInt()).equals(indexOrId)) {
        return t;
      }
    }
    throw new ConfigException(root + ": no trial " + indexOrId + " (it has " + trials().size() + ")");
  }

  public Path trialConfigFile(String id) {
    return root.resolve("trials").resolve(id + ".json");
  }

  public Path trialDir(String id) {
    return root.resolve(id);
  }

  public Path logFile(String id) {
    return root.resolve("logs").resolve(id + ".log");
  }

  public Path slurmDir() {
    return root.resolve("slurm");
  }

  public TrialState state(String id) {
    return TrialState.of(trialDir(id));
  }

  /** The last {@code lines} lines of a trial's log, or "" when there is none. */
  public String logTail(String id, int lines) {
    try {
      List<String> all = Files.readAllLines(logFile(id), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Releases the folder's lock (a no-op for a folder opened to read). */
  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException ignored) {
      // the OS drops the lock with the process anyway
    } finally {
      lock = null;
      lockChannel = null;
    }
  }
}
