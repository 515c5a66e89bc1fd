package dev.roundhouse.host.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One training run on disk, held open by exactly one writer:
 * <pre>
 * NAME/config.json        resolved run config (defaults filled), sorted keys
 * NAME/provenance.json    where and with what the run was made ({@link Provenance})
 * NAME/metrics.jsonl      one event per line (docs/metrics.md)
 * NAME/checkpoints/       step-000100/ ... ({@link CheckpointStore})
 * NAME/logs/              free-form logs
 * NAME/.lock              held with an OS file lock while a writer has the directory open
 * </pre>
 * The lock is an OS lock ({@link FileChannel#tryLock()}), released by {@link #close()} or when the process dies;
 * the {@code .lock} file itself stays. A second {@link #create}/{@link #open} on the same directory, from another
 * process or from this one, fails with {@link RunDirectoryLockedException}. Readers (metrics replay, eval) need no
 * lock and should not take one. Not thread-safe; one writer thread.
 */
public final class RunDirectory implements AutoCloseable {
  public static final String CONFIG_FILE = "config.json";
  public static final String PROVENANCE_FILE = "provenance.json";
  public static final String METRICS_FILE = "metrics.jsonl";
  public static final String CHECKPOINTS_DIR = "checkpoints";
  public static final String LOGS_DIR = "logs";
  public static final String LOCK_FILE = ".lock";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);
  /** Directories locked by this JVM: closing a second channel on a locked file would drop the OS lock. */
  private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path root;
  private final Path heldKey;
  private FileChannel lockChannel;
  private FileLock lock;

  private RunDirectory(Path root, Path heldKey, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.heldKey = heldKey;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates a new run directory under {@code runsRoot} and locks it. An existing directory is never reused: if
   * {@code NAME} exists, {@code NAME-2}, {@code NAME-3}, ... is taken. A null name means {@link #defaultName} with
   * the current time only.
   */
  public static RunDirectory create(Path runsRoot, String name) throws IOException {
    String base = name == null ? defaultName(Instant.now(), null, null) : checkName(name);
    Files.createDirectories(runsRoot);
    Path dir = null;
    for (int i = 1; dir == null; i++) {
      Path candidate = runsRoot.resolve(i == 1 ? base : base + "-" + i);
      try {
        dir = Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException taken) {
        if (i > 10_000) {
          throw new IOException("no free run directory name for " + runsRoot.resolve(base));
        }
      }
    }
    return open(dir);
  }

  /** Opens an existing run directory for writing (resume), taking its lock; creates missing subfolders. */
  public static RunDirectory open(Path existing) throws IOException {
    if (!Files.isDirectory(existing)) {
      throw new IOException("run directory " + existing + " does not exist or is not a directory");
    }
    Path root = existing.toAbsolutePath().normalize();
    Path key = root.toRealPath();
    if (!HELD_IN_THIS_JVM.add(key)) {
      throw new RunDirectoryLockedException(root, "already open in this process");
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(root.resolve(LOCK_FILE),
          StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = holderOf(root);
        ch.close();
        throw new RunDirectoryLockedException(root, holder);
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(holderLine().getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(false);
      Files.createDirectories(root.resolve(CHECKPOINTS_DIR));
      Files.createDirectories(root.resolve(LOGS_DIR));
      return new RunDirectory(root, key, ch, lock);
    } catch (IOException | RuntimeException e) {
      HELD_IN_THIS_JVM.remove(key);
      if (ch != null && ch.isOpen()) {
        ch.close();
      }
      throw e;
    }
  }

  /**
   * A run name: UTC timestamp, then the label (sanitised to {@code [a-z0-9._-]}) and the first 6 hex digits of the
   * config's {@link Json#sha256 canonical hash}, each when given. E.g. {@code 20261122-120301-tiny-moe-3fa9c2}.
   */
  public static String defaultName(Instant start, String label, JsonNode config) {
    StringBuilder name = new StringBuilder(STAMP.format(start));
    if (label != null) {
      String clean = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[-.]+|-+$", "");
      if (!clean.isEmpty()) {
        name.append('-').append(clean);
      }
    }
    if (config != null) {
      name.append('-').append(Json.sha256(config), 0, 6);
    }
    return name.toString();
  }

  public Path root() {
    return root;
  }

  public Path configFile() {
    return root.resolve(CONFIG_FILE);
  }

  public Path provenanceFile() {
    return root.resolve(PROVENANCE_FILE);
  }

  public Path metricsFile() {
    return root.resolve(METRICS_FILE);
  }

  public Path checkpointsDir() {
    return root.resolve(CHECKPOINTS_DIR);
  }

  public Path logsDir() {
    return root.resolve(LOGS_DIR);
  }

  /** Writes the resolved config (pretty, sorted keys) atomically. */
  public void writeConfig(JsonNode resolved) throws IOException {
    AtomicFiles.writeString(configFile(), Json.pretty(resolved));
  }

  /** Reads config.json; errors name the file ({@link #readConfig(Path)}). */
  public JsonNode readConfig() {
    return readConfig(root);
  }

  /**
   * Checks that {@code dir} is an existing run directory (a folder with a config.json) before anything opens it.
   *
   * @throws RunDirectoryException naming the path: missing, a file, or a folder without config.json
   */
  public static void requireRunDirectory(Path dir) {
    if (!Files.exists(dir)) {
      throw new RunDirectoryException(dir + ": no such run directory");
    }
    if (!Files.isDirectory(dir)) {
      throw new RunDirectoryException(dir + ": is a file, not a run directory");
    }
    if (!Files.exists(dir.resolve(CONFIG_FILE))) {
      throw new RunDirectoryException(dir + ": not a run directory (it has no " + CONFIG_FILE + ")");
    }
  }

  /**
   * The config.json of run directory {@code dir} as a JSON object.
   *
   * @throws RunDirectoryException naming the file: unreadable (with the OS reason), not UTF-8, malformed JSON
   *     (line and column), or not an object
   */
  public static JsonNode readConfig(Path dir) {
    Path file = dir.resolve(CONFIG_FILE);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new RunDirectoryException(file + ": not UTF-8 JSON", e);
    } catch (IOException e) {
      throw new RunDirectoryException("cannot read " + IoReasons.describe(e), e);
    }
    JsonNode n;
    try {
      n = Json.mapper().readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      var at = e.getLocation();
      String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
      throw new RunDirectoryException(file + ": malformed JSON" + where + ": "
          + (why.length() > 200 ? why.substring(0, 200) + "..." : why), e);
    }
    if (n == null || !n.isObject()) {
      throw new RunDirectoryException(file + ": must hold a JSON object (the run's resolved config)");
    }
    return n;
  }

  /**
   * Proves that the directory, its checkpoints/ folder and metrics.jsonl can be written, by creating and deleting a
   * probe file in each folder and opening metrics.jsonl for appending, before any training.
   *
   * @throws RunDirectoryException with the OS reason (e.g. "permission denied", "Read-only file system")
   */
  public void checkWritable() {
    for (Path folder : new Path[] {root, checkpointsDir()}) {
      try {
        Path probe = Files.createTempFile(folder, ".write-probe-", "");
        Files.delete(probe);
      } catch (IOException e) {
        throw new RunDirectoryException("run directory " + root + " is not writable: " + IoReasons.describe(e), e);
      }
    }
    if (Files.exists(metricsFile())) {
      try (FileChannel ch = FileChannel.open(metricsFile(), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        // opened for appending: writable
      } catch (IOException e) {
        throw new RunDirectoryException("run directory " + root + " is not writable: " + IoReasons.describe(e), e);
      }
    }
  }

  /** Writes provenance (a {@link Provenance}, a map, any JSON-able value) atomically. */
  public void writeProvenance(Object provenance) throws IOException {
    AtomicFiles.writeString(provenanceFile(), Json.pretty(provenance));
  }

  /** A checkpoint store over checkpoints/ keeping the last {@code keepLast} checkpoints (0 = all). */
  public CheckpointStore checkpointStore(int keepLast) {
    return new CheckpointStore(checkpointsDir(), keepLast);
  }

  /** True while this object holds the directory's lock. */
  public boolean isOpen() {
    return lock != null && lock.isValid();
  }

  /** Releases the lock (the .lock file stays). Idempotent. */
  @Override
  public void close() {
    if (lockChannel == null) {
      return;
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release lock of run directory " + root, e);
    } finally {
      lockChannel = null;
      lock = null;
      HELD_IN_THIS_JVM.remove(heldKey);
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }

  private static String checkName(String name) {
    if (name.isBlank() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
      throw new IllegalArgumentException("run name '" + name + "' must be a single, non-blank path segment");
    }
    return name;
  }

  private static String holderLine() {
    return "pid=" + ProcessHandle.current().pid() + " since=" + Instant.now() + "\n";
  }

  private static String holderOf(Path root) {
    try {
      String text = Files.readString(root.resolve(LOCK_FILE), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "holder unknown" : "held by " + text;
    } catch (IOException e) {
      return "holder unknown";
    }
  }
}
