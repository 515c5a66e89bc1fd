package dev.roundhouse.host.export;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The byte tokenizer (token id = byte value, 256 ids) as a Hugging Face {@code tokenizer.json}: a
 * byte-level BPE with the GPT-2 byte-to-character table, no merges and no regex split, so every byte
 * becomes its own token and decoding maps the tokens back to the bytes. Stateless.
 */
public final class ByteLevelTokenizerJson {
  private ByteLevelTokenizerJson() {}

  /** GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the others to U+0100 and up. */
  static char byteChar(int b) {
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
      return (char) b;
    }
    int n = 0;
    for (int i = 0; i < b; i++) {
      if (!((i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF))) {
        n++;
      }
    }
    return (char) (256 + n);
  }

  public static ObjectNode tokenizer() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode t = f.objectNode();
    t.put("version", "1.0");
    t.putNull("truncation");
    t.putNull("padding");
    t.putArray("added_tokens");
    t.putNull("normalizer");
    t.set("pre_tokenizer", byteLevel());
    t.putNull("post_processor");
    t.set("decoder", byteLevel());
    ObjectNode model = t.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(byteChar(b)), b);
    }
    model.putArray("merges");
    return t;
  }

  private static ObjectNode byteLevel() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", "ByteLevel");
    n.put("add_prefix_space", false);
    n.put("trim_offsets", false);
    n.put("use_regex", false);
    return n;
  }

  /** tokenizer_config.json for transformers' fast tokenizer. */
  public static ObjectNode tokenizerConfig(int maxLength) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("tokenizer_class", "PreTrainedTokenizerFast");
    n.put("model_max_length", maxLength);
    n.put("clean_up_tokenization_spaces", false);
    return n;
  }
}
