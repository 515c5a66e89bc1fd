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
      int lineNo = 0;
      for (String line : text.split("\n", -1)) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
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
        docs.add(v.textValue());
      }
    }
    return docs;
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
