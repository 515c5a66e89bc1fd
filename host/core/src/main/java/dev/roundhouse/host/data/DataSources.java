package dev.roundhouse.host.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Opens a token stream from a data path, or the embedded {@link SyntheticCorpus} when the path is
 * null. Everything is read and checked here, so a bad path fails before training starts.
 *
 * <p>What a path may name:
 * <ul>
 *   <li>a file: {@code *.bin} is an llm.c/nanoGPT shard ({@link ShardFormat}), {@code *.jsonl} is
 *       JSONL with a "text" string per line, anything else is raw UTF-8 text whose tokens are exactly
 *       the tokenizer's encoding of the whole file;
 *   <li>a folder: every regular file named {@code *.txt}, {@code *.md}, {@code *.jsonl} or
 *       {@code *.bin} (case-insensitive) below it, recursively, skipping hidden files and folders
 *       (names starting with '.'), in order of relative path; other files are ignored; empty files
 *       are skipped;
 *   <li>a glob such as {@code data/shards/train_*.bin}: the files below the glob's fixed leading
 *       folders whose relative path matches, in order of relative path.
 * </ul>
 * Shards and text files cannot be mixed. Several text documents (files, JSONL lines) are joined with
 * a newline after each document that does not already end in one. Shard tokens are concatenated.
 */
public final class DataSources {

  private static final List<String> FOLDER_EXTENSIONS = List.of(".txt", ".md", ".jsonl", ".bin");

  private DataSources() {}

  /** {@link #open(String, Tokenizer, long, int)} with the default synthetic corpus size. */
  public static TokenStream open(String pathOrNull, Tokenizer tokenizer, long seed) {
    return open(pathOrNull, tokenizer, seed, SyntheticCorpus.DEFAULT_BYTES);
  }

  /**
   * Loads all tokens of a data path.
   *
   * @param pathOrNull file, folder or glob; null for the synthetic corpus
   * @param tokenizer encodes text files; its vocab size bounds shard tokens
   * @param seed seeds the synthetic corpus (unused for files)
   * @param syntheticBytes approximate size of the synthetic corpus in bytes of text
   * @throws DataException on a missing, empty, unreadable or malformed source, or a vocab mismatch
   */
  public static TokenStream open(String pathOrNull, Tokenizer tokenizer, long seed, int syntheticBytes) {
    if (pathOrNull == null) {
      return SyntheticCorpus.generate(seed, syntheticBytes, tokenizer);
    }
    if (pathOrNull.isBlank()) {
      throw new DataException("data path is empty (give a file, folder or glob, or none for the synthetic corpus)");
    }
    if (isGlob(pathOrNull)) {
      return load(pathOrNull, glob(pathOrNull), tokenizer, false);
    }
    Path path = Path.of(pathOrNull);
    if (!Files.exists(path)) {
      throw new DataException("data path not found: " + path + " (absolute: " + path.toAbsolutePath() + ")");
    }
    if (Files.isDirectory(path)) {
      List<Path> files = walk(path, rel -> FOLDER_EXTENSIONS.contains(extension(rel)));
      if (files.isEmpty()) {
        throw new DataException("data folder " + path + " contains no " + String.join(", ", FOLDER_EXTENSIONS) + " files");
      }
      return load(pathOrNull, files, tokenizer, false);
    }
    return load(pathOrNull, List.of(path), tokenizer, true);
  }

  /**
   * The files {@link #open} reads for a data path, in reading order (the same resolution of file, folder and glob);
   * empty for the synthetic corpus (null path). For {@code run.DataFingerprint}.
   *
   * @throws DataException as {@link #open} does for a missing path or an empty folder or glob
   */
  public static List<Path> files(String pathOrNull) {
    if (pathOrNull == null) {
      return List.of();
    }
    if (pathOrNull.isBlank()) {
      throw new DataException("data path is empty (give a file, folder or glob, or none for the synthetic corpus)");
    }
    if (isGlob(pathOrNull)) {
      return glob(pathOrNull);
    }
    Path path = Path.of(pathOrNull);
    if (!Files.exists(path)) {
      throw new DataException("data path not found: " + path + " (absolute: " + path.toAbsolutePath() + ")");
    }
    if (Files.isDirectory(path)) {
      return walk(path, rel -> FOLDER_EXTENSIONS.contains(extension(rel)));
    }
    return List.of(path);
  }

  private static TokenStream load(String source, List<Path> files, Tokenizer tokenizer, boolean single) {
    List<Path> shards = files.stream().filter(f -> extension(f).equals(".bin")).toList();
    if (!shards.isEmpty() && shards.size() != files.size()) {
      Path text = files.stream().filter(f -> !extension(f).equals(".bin")).findFirst().orElseThrow();
      throw new DataException(source + ": mixes .bin shards (" + shards.get(0) + ") with text files (" + text + ")");
    }
    IntList tokens = new IntList();
    if (!shards.isEmpty()) {
      for (Path shard : shards) {
        tokens.addAll(ShardFormat.read(shard, tokenizer.vocabSize()), shard);
      }
      return TokenStream.of(tokens.toArray(), source);
    }
    if (single && !extension(files.get(0)).equals(".jsonl")) {
      String text = TextFormats.readUtf8(files.get(0));
      if (text.isEmpty()) {
        throw new DataException(files.get(0) + ": empty file");
      }
      return TokenStream.of(tokenizer.encode(text), source);
    }
    for (Path file : files) {
      List<String> docs = extension(file).equals(".jsonl")
          ? TextFormats.readJsonl(file) : List.of(TextFormats.readUtf8(file));
      if (single && docs.stream().allMatch(String::isEmpty)) {
        throw new DataException(file + ": no text (empty file or only empty documents)");
      }
      for (String doc : docs) {
        if (!doc.isEmpty()) {
          tokens.addAll(tokenizer.encode(doc.endsWith("\n") ? doc : doc + "\n"), file);
        }
      }
    }
    if (tokens.size() == 0) {
      throw new DataException(source + ": all " + files.size() + " data files are empty");
    }
    return TokenStream.of(tokens.toArray(), source);
  }

  static boolean isGlob(String path) {
    return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  static List<Path> glob(String pattern) {
    String normalized = pattern.replace('\\', '/');
    int firstGlob = 0;
    while (!isGlob(normalized.substring(firstGlob, firstGlob + 1))) {
      firstGlob++;
    }
    int cut = normalized.lastIndexOf('/', firstGlob);
    Path base = cut < 0 ? Path.of(".") : Path.of(cut == 0 ? "/" : normalized.substring(0, cut));
    String relGlob = normalized.substring(cut + 1);
    if (!Files.isDirectory(base)) {
      throw new DataException("data path not found: folder " + base + " of glob " + pattern);
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + relGlob);
    List<Path> files = walk(base, matcher::matches);
    if (files.isEmpty()) {
      throw new DataException("no data files match glob " + pattern);
    }
    return files;
  }

  /** Regular, non-hidden files below {@code root} whose relative path is accepted, sorted. */
  static List<Path> walk(Path root, Predicate<Path> accept) {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> !isHidden(root.relativize(p)) && accept.test(root.relativize(p)))
          .sorted((a, b) -> relative(root, a).compareTo(relative(root, b)))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new DataException("cannot list data folder " + root + ": " + e.getMessage(), e);
    }
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  static String extension(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot);
  }

  /** A growable int array with the {@link TokenStream#MAX_TOKENS} limit. */
  private static final class IntList {
    private int[] data = new int[1 << 16];
    private int size;

    void addAll(int[] more, Path from) {
      long needed = (long) size + more.length;
      if (needed > TokenStream.MAX_TOKENS) {
        throw new DataException(from + ": data exceeds " + TokenStream.MAX_TOKENS + " tokens, the in-memory limit");
      }
      if (needed > data.length) {
        data = Arrays.copyOf(data, (int) Math.min(TokenStream.MAX_TOKENS, Math.max(needed, 2L * data.length)));
      }
      System.arraycopy(more, 0, data, size, more.length);
      size = (int) needed;
    }

    int size() {
      return size;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
