package dev.roundhouse.host.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one run under {@code <run>/checkpoints/}:
 * <pre>
 * step-000100/tensors.safetensors  all named arrays ({@link SafeTensors} format, bit-exact; any safetensors
 *                                  reader opens it)
 * step-000100/meta.json      caller's metadata (optimizer scalars, RNG, data cursor, config fingerprint, ...)
 * step-000100/manifest.json  format, step, per file {bytes, sha256}, per tensor {dtype, shape}; written last
 * </pre>
 * {@link #save} writes into {@code .tmp-step-000100-*}, fsyncs, then renames the directory into place, so a step
 * directory either is complete or does not exist; a crash leaves only a dot-directory that the next save removes.
 * Format version 1 checkpoints ({@code tensors.bin}, {@link TensorFile}) still load; a newer version is refused.
 * Saving an existing step replaces it. {@link #load} verifies sizes and hashes before parsing. With
 * {@code keepLast > 0} older step directories beyond the newest {@code keepLast} are deleted after each save.
 * One writer (the run directory lock guarantees it); loads may run concurrently with nothing else writing.
 */
public final class CheckpointStore {
  public static final String TENSORS_FILE = "tensors.safetensors";
  /** The tensor file of format version 1 checkpoints (read only). */
  public static final String LEGACY_TENSORS_FILE = "tensors.bin";
  public static final String META_FILE = "meta.json";
  public static final String MANIFEST_FILE = "manifest.json";
  public static final String FORMAT = "roundhouse-checkpoint";
  public static final int FORMAT_VERSION = 2;

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{6,19})");

  private final Path dir;
  private final int keepLast;

  /** A store keeping every checkpoint. */
  public CheckpointStore(Path dir) {
    this(dir, 0);
  }

  /** A store keeping the newest {@code keepLast} checkpoints (0 = all). */
  public CheckpointStore(Path dir, int keepLast) {
    if (keepLast < 0) {
      throw new IllegalArgumentException("keepLast must be >= 0, got " + keepLast);
    }
    this.dir = dir;
    this.keepLast = keepLast;
  }

  public Path dir() {
    return dir;
  }

  /** Directory name of a step: {@code step-000100}. */
  public static String stepDirName(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("checkpoint step must be >= 0, got " + step);
    }
    return String.format("step-%06d", step);
  }

  public Path stepDir(long step) {
    return dir.resolve(stepDirName(step));
  }

  /** Atomically writes checkpoint {@code step}; returns its directory. Arrays are not modified. */
  public Path save(long step, Map<String, INDArray> tensors, JsonNode meta) {
    Path target = stepDir(step);
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      removeLeftovers();
      tmp = Files.createTempDirectory(dir, ".tmp-" + stepDirName(step) + "-");
      TensorFile.Written t = SafeTensors.write(tmp.resolve(TENSORS_FILE), tensors,
          Map.of("format", FORMAT, "step", Long.toString(step)));
      byte[] metaBytes = Json.pretty(meta == null ? JsonNodeFactory.instance.objectNode() : meta)
          .getBytes(StandardCharsets.UTF_8);
      AtomicFiles.writeBytes(tmp.resolve(META_FILE), metaBytes);
      ObjectNode manifest = manifest(step, tensors, t, metaBytes);
      AtomicFiles.writeString(tmp.resolve(MANIFEST_FILE), Json.pretty(manifest));
      AtomicFiles.fsyncDirectory(tmp);
      Path old = null;
      if (Files.exists(target)) {
        old = dir.resolve(".old-" + stepDirName(step) + "-" + System.nanoTime());
        AtomicFiles.moveAtomically(target, old);
      }
      AtomicFiles.moveAtomically(tmp, target);
      tmp = null;
      AtomicFiles.fsyncDirectory(dir);
      if (old != null) {
        deleteTree(old);
      }
      prune(step);
      return target;
    } catch (IOException | RuntimeException e) {
      if (tmp != null) {
        deleteQuietly(tmp);
      }
      if (e instanceof CheckpointException ce) {
        throw ce;
      }
      throw new CheckpointException(target, "cannot save checkpoint: " + IoReasons.describe(e), e);
    }
  }

  /** Loads and verifies checkpoint {@code step}; throws {@link CheckpointException} naming the bad file. */
  public LoadedCheckpoint load(long step) {
    Path stepDir = stepDir(step);
    if (!Files.isDirectory(stepDir)) {
      throw new CheckpointException(stepDir, "no checkpoint for step " + step + " (have " + steps() + ")");
    }
    JsonNode manifest = verify(stepDir, step);
    String name = tensorsFileName(manifest);
    Path tensorsFile = stepDir.resolve(name);
    Map<String, INDArray> tensors;
    try {
      tensors = name.equals(TENSORS_FILE) ? SafeTensors.read(tensorsFile).tensors() : TensorFile.read(tensorsFile);
    } catch (IOException e) {
      throw new CheckpointException(tensorsFile, "cannot read: " + IoReasons.describe(e), e);
    }
    checkIndex(tensorsFile, manifest.path("tensors"), tensors);
    return new LoadedCheckpoint(step, stepDir, tensors, Json.read(stepDir.resolve(META_FILE)));
  }

  /**
   * The newest checkpoint that verifies, or empty if there is none. Newer incomplete or corrupt ones are skipped
   * with a warning naming the file at fault.
   */
  public Optional<LoadedCheckpoint> latest() {
    List<Long> all = steps();
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        return Optional.of(load(all.get(i)));
      } catch (CheckpointException e) {
        LOG.warn("Skipping checkpoint {}: {}", stepDirName(all.get(i)), e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Steps that have a step directory (complete or not), ascending. */
  public List<Long> steps() {
    List<Long> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> list = Files.list(dir)) {
      list.forEach(p -> {
        Matcher m = STEP_DIR.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p)) {
          out.add(Long.parseLong(m.group(1)));
        }
      });
    } catch (IOException e) {
      throw new CheckpointException(dir, "cannot list checkpoints: " + IoReasons.describe(e), e);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** Checks manifest, file sizes and hashes of a step directory; returns the manifest. */
  private static JsonNode verify(Path stepDir, long step) {
    Path manifestFile = stepDir.resolve(MANIFEST_FILE);
    if (!Files.isRegularFile(manifestFile)) {
      throw new CheckpointException(manifestFile, "missing: checkpoint is incomplete");
    }
    JsonNode manifest;
    try {
      manifest = Json.read(manifestFile);
    } catch (RuntimeException e) {
      throw new CheckpointException(manifestFile, "unreadable manifest: " + e.getMessage(), e);
    }
    if (!FORMAT.equals(manifest.path("format").asText()) || manifest.path("step").asLong(-1) != step) {
      throw new CheckpointException(manifestFile, "not a manifest of " + FORMAT + " step " + step);
    }
    if (manifest.path("format_version").asInt() > FORMAT_VERSION) {
      throw new CheckpointException(manifestFile, "format version " + manifest.path("format_version").asInt()
          + " is newer than this Roundhouse reads (" + FORMAT_VERSION + ")");
    }
    if (manifest.path("format_version").asInt() < 1) {
      throw new CheckpointException(manifestFile, "has no valid format_version");
    }
    for (String name : List.of(tensorsFileName(manifest), META_FILE)) {
      JsonNode entry = manifest.path("files").path(name);
      Path file = stepDir.resolve(name);
      if (!entry.isObject()) {
        throw new CheckpointException(manifestFile, "does not list " + name);
      }
      if (!Files.isRegularFile(file)) {
        throw new CheckpointException(file, "missing");
      }
      try {
        long size = Files.size(file);
        long expected = entry.path("bytes").asLong(-1);
        if (size != expected) {
          throw new CheckpointException(file, (size < expected ? "truncated" : "wrong size") + ": " + size
              + " bytes, " + MANIFEST_FILE + " says " + expected);
        }
        if (!Sha256.ofFile(file).equals(entry.path("sha256").asText())) {
          throw new CheckpointException(file, "corrupt: SHA-256 does not match " + MANIFEST_FILE);
        }
      } catch (IOException e) {
        throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
      }
    }
    return manifest;
  }

  /** The tensor file a manifest's format version uses: tensors.bin for version 1, else tensors.safetensors. */
  private static String tensorsFileName(JsonNode manifest) {
    return manifest.path("format_version").asInt() == 1 ? LEGACY_TENSORS_FILE : TENSORS_FILE;
  }

  private static ObjectNode manifest(long step, Map<String, INDArray> tensors, TensorFile.Written t, byte[] meta) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("format", FORMAT).put("format_version", FORMAT_VERSION).put("step", step);
    ObjectNode files = m.putObject("files");
    files.putObject(TENSORS_FILE).put("bytes", t.bytes()).put("sha256", t.sha256());
    files.putObject(META_FILE).put("bytes", meta.length).put("sha256", Sha256.hex(meta));
    ObjectNode index = m.putObject("tensors");
    for (Map.Entry<String, INDArray> e : new TreeMap<>(tensors).entrySet()) {
      ObjectNode entry = index.putObject(e.getKey());
      entry.put("dtype", e.getValue().dataType().name());
      long[] shape = e.getValue().shape();
      for (long d : shape) {
        entry.withArray("shape").add(d);
      }
      if (shape.length == 0) {
        entry.putArray("shape");
      }
    }
    return m;
  }

  private static void checkIndex(Path file, JsonNode index, Map<String, INDArray> tensors) {
    if (index.size() != tensors.size()) {
      throw new CheckpointException(file, "holds " + tensors.size() + " tensors, manifest lists " + index.size());
    }
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      JsonNode entry = index.path(e.getKey());
      String shape = Json.line(e.getValue().shape());
      if (!e.getValue().dataType().name().equals(entry.path("dtype").asText())
          || !shape.equals(Json.line(entry.path("shape")))) {
        throw new CheckpointException(file, "tensor '" + e.getKey() + "' (" + e.getValue().dataType() + " "
            + shape + ") does not match the manifest entry " + Json.line(entry));
      }
    }
  }

  private void prune(long justSaved) throws IOException {
    if (keepLast == 0) {
      return;
    }
    List<Long> all = steps();
    for (int i = 0; i < all.size() - keepLast; i++) {
      if (all.get(i) != justSaved) {
        deleteTree(stepDir(all.get(i)));
      }
    }
  }

  /** Removes temp/old directories left by a crashed save (only this store's single writer creates them). */
  private void removeLeftovers() throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        String n = p.getFileName().toString();
        if (n.startsWith(".tmp-step-") || n.startsWith(".old-step-")) {
          deleteTree(p);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void deleteQuietly(Path root) {
    try {
      deleteTree(root);
    } catch (IOException e) {
      LOG.warn("Could not remove temporary checkpoint directory {}: {}", root, e.getMessage());
    }
  }
}
