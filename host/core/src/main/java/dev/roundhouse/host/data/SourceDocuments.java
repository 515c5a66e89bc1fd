package dev.roundhouse.host.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The documents of one mixture source (see {@code roundhouse data prepare}): a text file is one
 * document, a JSONL line one document (its configured field), a folder or glob the documents of its
 * {@code .txt}, {@code .md} and {@code .jsonl} files in path order; or generated synthetic documents.
 */
public final class SourceDocuments {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TEXT_EXTENSIONS = Set.of(".txt", ".md", ".jsonl");

  private SourceDocuments() {}

  /**
   * Reads the documents of a file, folder or glob.
   *
   * @param source the source's name, for messages
   * @throws DataException naming the source and file when missing, empty or malformed
   */
  public static List<String> read(String source, String pathOrGlob, String field) {
    return read(source, pathOrGlob, field, (n, body) -> {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
    });
  }

  /**
   * Runs a body for each index of a range, possibly on several threads; a failure of the body is
   * rethrown for the lowest failing index.
   */
  @FunctionalInterface
  public interface ParallelFor {
    void forEach(int n, java.util.function.IntConsumer body);
  }

  /**
   * {@link #read(String, String, String)} with the JSON lines parsed through {@code par}: the same
   * documents in the same order, and the same error (the first bad line) whatever the threads.
   */
  public static List<String> read(String source, String pathOrGlob, String field, ParallelFor par) {
    List<Path> files;
    if (DataSources.isGlob(pathOrGlob)) {
      files = DataSources.glob(pathOrGlob);
    } else {
      Path p = Path.of(pathOrGlob);
      if (!Files.exists(p)) {
        throw new DataException("source \"" + source + "\": path not found: " + p + " (absolute: "
            + p.toAbsolutePath() + ")");
      }
      files = Files.isDirectory(p)
          ? DataSources.walk(p, rel -> TEXT_EXTENSIONS.contains(DataSources.extension(rel))) : List.of(p);
    }
    if (files.isEmpty()) {
      throw new DataException("source \"" + source + "\": " + pathOrGlob + " holds no .txt, .md or .jsonl files");
    }
    List<String> docs = new ArrayList<>();
    for (Path f : files) {
      String text = TextFormats.readUtf8(f);
      if (!DataSources.extension(f).equals(".jsonl")) {
        docs.add(text);
        continue;
      }
      String[] lines = text.split("\n", -1);
      String[] parsed = new String[lines.length];
      par.forEach(lines.length, i -> {
        if (!lines[i].isBlank()) {
          parsed[i] = textField(f, i + 1, lines[i], field);
        }
      });
      for (String d : parsed) {
        if (d != null) {
          docs.add(d);
        }
      }
    }
    return docs;
  }

  private static String textField(Path f, int lineNo, String line, String field) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new DataException(f + ": line " + lineNo + ": not valid JSON: "
          + e.getOriginalMessage().replaceAll("\\s+", " "));
    }
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isTextual()) {
      throw new DataException(f + ": line " + lineNo + ": no string field \"" + field + "\"");
    }
    return v.textValue();
  }

  /**
   * {@code count} documents of one embedded synthetic domain ({@link SyntheticCorpus#DOMAINS}).
   *
   * @throws DataException naming the unknown domain
   */
  public static List<String> synthetic(String source, String domain, int count, long seed) {
    int d = SyntheticCorpus.DOMAINS.indexOf(domain);
    if (d < 0) {
      throw new DataException("source \"" + source + "\": unknown synthetic domain \"" + domain + "\" (known: "
          + SyntheticCorpus.DOMAINS + ")");
    }
    SplittableRandom r = new SplittableRandom(seed * 31 + d);
    List<String> docs = new ArrayList<>(count);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.setLength(0);
      SyntheticDomains.write(d, r, sb);
      docs.add(sb.toString());
    }
    return docs;
  }
}
