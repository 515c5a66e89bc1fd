package dev.roundhouse.host.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.data.DataException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the training data was: every file a run reads (data files, and any tokenizer or manifest file a data source
 * depends on), each with its size and SHA-256. Stored in every checkpoint ({@code data_fingerprint} in meta.json);
 * {@code resume} compares it with the files as they are now and refuses a change, naming each changed, added or
 * removed file, unless forced. The synthetic corpus has no files: its seed and size are part of the config, which
 * the config fingerprint already covers. Immutable and thread-safe.
 *
 * @param files one entry per file, in the order the run reads them
 */
public record DataFingerprint(List<FileEntry> files) {
  /** One file: its path as the run names it, size in bytes, SHA-256 (hex) of its content. */
  public record FileEntry(String path, long bytes, String sha256) {}

  public DataFingerprint {
    files = List.copyOf(files);
  }

  /** Hashes each file (streamed; about 1 s per GB). */
  public static DataFingerprint of(List<Path> files) {
    List<FileEntry> out = new ArrayList<>();
    for (Path f : files) {
      try {
        out.add(new FileEntry(f.toString(), Files.size(f), Sha256.ofFile(f)));
      } catch (IOException e) {
        throw new DataException("cannot read data file " + f + " to fingerprint it: " + IoReasons.describe(e), e);
      }
    }
    return new DataFingerprint(out);
  }

  /** {@code [{"path":..., "bytes":..., "sha256":...}, ...]}. */
  public JsonNode toJson() {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (FileEntry e : files) {
      a.addObject().put("path", e.path()).put("bytes", e.bytes()).put("sha256", e.sha256());
    }
    return a;
  }

  /** The inverse of {@link #toJson()}; null when the node is absent (a checkpoint older than fingerprints). */
  public static DataFingerprint fromJson(JsonNode n) {
    if (n == null || !n.isArray()) {
      return null;
    }
    List<FileEntry> out = new ArrayList<>();
    n.forEach(e -> out.add(new FileEntry(e.path("path").asText(), e.path("bytes").asLong(), e.path("sha256").asText())));
    return new DataFingerprint(out);
  }

  /**
   * How {@code now} differs from this (the stored) fingerprint, one line per file: {@code mut.txt: 1000 -> 1200
   * bytes, content differs}, {@code a.bin: content differs (same size)}, {@code b.bin: no longer read},
   * {@code c.bin: new file}. Empty when equal.
   */
  public List<String> differences(DataFingerprint now) {
    Map<String, FileEntry> before = index(this);
    Map<String, FileEntry> after = index(now);
    List<String> out = new ArrayList<>();
    before.forEach((path, b) -> {
      FileEntry a = after.get(path);
      if (a == null) {
        out.add(path + ": no longer read (removed or renamed)");
      } else if (a.bytes() != b.bytes()) {
        out.add(path + ": " + b.bytes() + " -> " + a.bytes() + " bytes, content differs");
      } else if (!a.sha256().equals(b.sha256())) {
        out.add(path + ": content differs (same size, " + a.bytes() + " bytes)");
      }
    });
    after.keySet().stream().filter(p -> !before.containsKey(p)).forEach(p -> out.add(p + ": new file"));
    if (out.isEmpty() && !before.keySet().stream().toList().equals(after.keySet().stream().toList())) {
      out.add("the files are read in a different order");
    }
    return out;
  }

  private static Map<String, FileEntry> index(DataFingerprint f) {
    Map<String, FileEntry> m = new LinkedHashMap<>();
    f.files().forEach(e -> m.put(e.path(), e));
    return m;
  }
}
