package dev.roundhouse.host.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tokenizer input: one clear error naming the file, type or both vocab sizes. */
class TokenizerErrorsTest {

  @TempDir
  Path dir;

  @Test
  void unknownTiktokenEncodingIsNamed() throws Exception {
    Path file = dir.resolve("p99k_base.tiktoken");
    Files.writeString(file, "YQ== 0\n");
    DataException e = assertThrows(DataException.class, () -> TiktokenFile.load(file, null));
    assertTrue(e.getMessage().contains("unknown encoding \"p99k_base\"") && e.getMessage().contains(file.toString()),
        e.getMessage());
  }

  @Test
  void wordPieceTokenizerJsonIsRefusedNamingFileAndType() throws Exception {
    Path file = dir.resolve("bert.json");
    Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
    DataException e = assertThrows(DataException.class, () -> HfTokenizerJson.load(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("WordPiece"), e.getMessage());
    Path uni = dir.resolve("t5.json");
    Files.writeString(uni, "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]]}}");
    DataException u = assertThrows(DataException.class, () -> HfTokenizerJson.load(uni));
    assertTrue(u.getMessage().contains("Unigram"), u.getMessage());
  }

  @Test
  void vocabMismatchNamesBothNumbers() throws Exception {
    Path file = dir.resolve("tokenizer.json");
    HfTokenizerJson.write(BpeTrainer.train(List.of(BpeTrainerTest.text(1, 3000)), 300, BpeTrainer.DEFAULT_SPECIALS)
        .toTokenizerJson(), file);
    String tok = "tokenizer={\"type\":\"bpe\",\"path\":\"" + file.toString().replace("\\", "\\\\") + "\"}";
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, List.of(tok, "model.vocabSize=512")));
    assertTrue(e.getMessage().contains("model.vocabSize") && e.getMessage().contains("512")
        && e.getMessage().contains("300"), e.getMessage());
    // absent: follows the tokenizer
    assertTrue(ConfigLoader.load(null, List.of(tok, "model.vocabSize=null")).model().vocabSize() == 300);
  }

  @Test
  void unknownTokenizerTypeIsNamed() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, List.of("tokenizer={\"type\":\"sentencepiece\"}")));
    assertTrue(e.getMessage().contains("tokenizer") && e.getMessage().contains("sentencepiece"), e.getMessage());
  }
}
