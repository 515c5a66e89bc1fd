package dev.roundhouse.host.data.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.Dataset;
import dev.roundhouse.host.data.Mixture;
import dev.roundhouse.host.data.TokenStream;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A folder written by {@link Preparer}, opened for training: every shard's sha256 is checked against
 * the manifest, the manifest's tokenizer must be the run's (same type and file hash), and the
 * sources' train and validation tokens are concatenated with the source index as each token's domain.
 */
public final class PreparedDataset {

  private final TokenStream train;
  private final TokenStream val;
  private final Mixture mixture;

  private PreparedDataset(TokenStream train, TokenStream val, Mixture mixture) {
    this.train = train;
    this.val = val;
    this.mixture = mixture;
  }

  /**
   * The manifest of a prepared folder.
   *
   * @throws DataException when the folder or manifest is missing or unreadable
   */
  public static JsonNode readManifest(Path dir) {
    Path file = dir.resolve(Preparer.MANIFEST);
    if (!Files.isRegularFile(file)) {
      throw new DataException("data.prepared: " + file + " not found (prepare the data with `roundhouse data prepare`)");
    }
    try {
      return PrepareJson.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new DataException("data.prepared: " + file + " is not readable JSON: " + e.getMessage());
    }
  }

  /**
   * Opens and verifies a prepared dataset for a run using {@code tokenizer}.
   *
   * @throws DataException naming the shard whose checksum fails, or both tokenizers on a mismatch
   */
  public static PreparedDataset open(Path dir, TokenizerSpec tokenizer) {
    JsonNode manifest = readManifest(dir);
    String made = manifest.path("tokenizer").path("hash").asText();
    String run = tokenizer.hash();
    if (!made.equals(run)) {
      throw new DataException("data.prepared: " + dir + " was tokenized with " + made + " but the run's tokenizer is "
          + run + " (prepare the data again with the run's tokenizer, or set the run's tokenizer to the dataset's)");
    }
    int vocab = manifest.path("tokenizer").path("vocabSize").asInt();
    JsonNode sources = manifest.path("sources");
    int n = sources.size();
    if (n == 0 || n > Byte.MAX_VALUE) {
      throw new DataException("data.prepared: " + dir + ": manifest has " + n + " sources (1 to 127 supported)");
    }
    List<String> names = new ArrayList<>();
    List<int[]> trainParts = new ArrayList<>();
    List<int[]> valParts = new ArrayList<>();
    double[] weights = new double[n];
    double[] epochs = new double[n];
    long[] valBytes = new long[n];
    for (int s = 0; s < n; s++) {
      JsonNode src = sources.get(s);
      names.add(src.path("name").asText());
      weights[s] = src.path("weight").asDouble();
      epochs[s] = src.path("epochs").asDouble(1);
      valBytes[s] = src.path("val").path("bytes").asLong();
      trainParts.add(readSplit(dir, src.path("train"), vocab));
      valParts.add(readSplit(dir, src.path("val"), vocab));
    }
    int[] offsets = new int[n];
    int[] lengths = new int[n];
    TokenStream train = concat(trainParts, names, dir + " [train]", offsets, lengths);
    TokenStream val = concat(valParts, names, dir + " [val]", new int[n], new int[n]);
    return new PreparedDataset(train, val, new Mixture(names, offsets, lengths, weights, epochs, valBytes));
  }

  private static int[] readSplit(Path dir, JsonNode split, int vocab) {
    List<int[]> parts = new ArrayList<>();
    long total = 0;
    for (JsonNode shard : split.path("shards")) {
      Path file = dir.resolve(shard.path("file").asText());
      if (!Files.isRegularFile(file)) {
        throw new DataException("prepared shard " + file + " is missing (listed in " + dir.resolve(Preparer.MANIFEST) + ")");
      }
      int[] t = PreparedShards.read(file, shard.path("sha256").asText(), vocab);
      parts.add(t);
      total += t.length;
    }
    int[] out = new int[Math.toIntExact(total)];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static TokenStream concat(List<int[]> parts, List<String> names, String source, int[] offsets, int[] lengths) {
    long total = parts.stream().mapToLong(p -> p.length).sum();
    if (total > TokenStream.MAX_TOKENS) {
      throw new DataException(source + ": " + total + " tokens exceed the in-memory limit");
    }
    int[] tokens = new int[(int) total];
    byte[] domains = new byte[(int) total];
    int at = 0;
    for (int s = 0; s < parts.size(); s++) {
      int[] p = parts.get(s);
      offsets[s] = at;
      lengths[s] = p.length;
      System.arraycopy(p, 0, tokens, at, p.length);
      Arrays.fill(domains, at, at + p.length, (byte) s);
      at += p.length;
    }
    return new TokenStream(tokens, domains, names, source);
  }

  /** As a {@link Dataset} with its mixture. */
  public Dataset asDataset() {
    return new Dataset(train, val, mixture);
  }
}
