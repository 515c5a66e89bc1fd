package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.prepare.PreparedDataset;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import java.nio.file.Path;

/**
 * Ties the model's vocabulary to the tokenizer before a config is bound: a run on prepared data
 * without a "tokenizer" section takes the dataset's tokenizer; with a "tokenizer" section,
 * {@code model.vocabSize} follows it when absent and must equal it when given. Without either (the
 * embedded corpus, llm.c shards) nothing changes: vocabSize defaults to 256 as before.
 */
final class TokenizerVocab {

  private TokenizerVocab() {}

  static void apply(ObjectNode root, ObjectMapper mapper, Problems p) {
    JsonNode prepared = root.path("data").path("prepared");
    if (!root.has("tokenizer") && prepared.isTextual()) {
      try {
        root.set("tokenizer", PreparedDataset.readManifest(Path.of(prepared.asText())).path("tokenizer").path("spec"));
      } catch (DataException e) {
        p.add("data.prepared", e.getMessage());
        return;
      }
    }
    JsonNode section = root.get("tokenizer");
    if (section == null || section.isNull()) {
      return;
    }
    int vocab;
    String what;
    try {
      TokenizerSpec spec = mapper.treeToValue(section, TokenizerSpec.class);
      vocab = spec.open().vocabSize();
      what = spec.type() + (spec.path() == null ? "" : " " + spec.path());
    } catch (DataException e) {
      p.add("tokenizer", e.getMessage());
      return;
    } catch (Exception e) {
      p.add("tokenizer", "must be {\"type\": \"byte\" | \"bpe\" | \"tiktoken\", \"path\": ..., \"pattern\": ...}: "
          + e.getMessage().lines().findFirst().orElse(""));
      return;
    }
    JsonNode model = root.get("model");
    if (model == null || !model.isObject()) {
      model = root.putObject("model");
    }
    JsonNode given = model.get("vocabSize");
    if (given == null || given.isNull()) {
      ((ObjectNode) model).put("vocabSize", vocab);
    } else if (given.asInt() != vocab) {
      p.add("model.vocabSize", "is " + given.asInt() + " but the tokenizer (" + what + ") has " + vocab
          + " tokens; remove model.vocabSize to follow the tokenizer");
    }
  }
}
