package dev.roundhouse.host.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.roundhouse.host.data.SourceDocuments;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The piece cache changes speed, never ids: a tokenizer whose cache was warmed by other text, or by
 * many threads at once, encodes exactly as a fresh one that merges every piece.
 */
class BpePieceCacheTest {
  @TempDir Path tmp;

  @Test
  void warmAndConcurrentCachesGiveTheFreshIds() throws Exception {
    String train = String.join("", SourceDocuments.synthetic("t", "english", 200, 3))
        + String.join("", SourceDocuments.synthetic("t", "code", 200, 3));
    Path file = tmp.resolve("tokenizer.json");
    HfTokenizerJson.write(BpeTrainer.train(List.of(train), 400, BpeTrainer.DEFAULT_SPECIALS).toTokenizerJson(), file);
    List<String> docs = new java.util.ArrayList<>(SourceDocuments.synthetic("t", "english", 300, 7));
    docs.addAll(SourceDocuments.synthetic("t", "json", 300, 7));
    docs.add("x".repeat(BpeTokenizer.CACHE_PIECE_CHARS + 7) + " <|eos|> done");

    BpeTokenizer fresh = HfTokenizerJson.load(file);
    List<int[]> expected = docs.stream().map(d -> HfTokenizerJson.load(file).encode(d)).toList(); // cold caches

    BpeTokenizer warm = HfTokenizerJson.load(file);
    SourceDocuments.synthetic("t", "english", 500, 99).forEach(warm::encode);
    List<int[]> parallel = docs.parallelStream().map(warm::encode).toList();
    for (int i = 0; i < docs.size(); i++) {
      assertArrayEquals(expected.get(i), parallel.get(i), "document " + i);
      assertArrayEquals(expected.get(i), warm.encode(docs.get(i)), "document " + i + ", second time");
      assertArrayEquals(expected.get(i), fresh.encode(docs.get(i)), "document " + i + ", sequential");
    }
  }
}
