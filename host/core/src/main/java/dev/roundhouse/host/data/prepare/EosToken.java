package dev.roundhouse.host.data.prepare;

import dev.roundhouse.host.data.ByteTokenizer;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.Tokenizer;
import dev.roundhouse.host.data.tokenizer.BpeTokenizer;

/**
 * The document separator packed after every document: the tokenizer's {@code <|eos|>},
 * {@code <|endoftext|>} or {@code </s>} token; for the byte tokenizer (no special tokens) byte 0
 * (NUL), which text files do not contain.
 */
public final class EosToken {

  private EosToken() {}

  public static int of(Tokenizer tok) {
    if (tok instanceof ByteTokenizer) {
      return 0;
    }
    if (tok instanceof BpeTokenizer bpe) {
      for (String name : new String[] {"<|eos|>", "<|endoftext|>", "</s>", "<|end_of_text|>"}) {
        if (bpe.addedToken(name) >= 0) {
          return bpe.addedToken(name);
        }
      }
      throw new DataException("tokenizer (" + bpe + ") has no end-of-document token (<|eos|>, <|endoftext|>,"
          + " </s> or <|end_of_text|>) to separate documents");
    }
    throw new DataException("no end-of-document token known for tokenizer " + tok);
  }
}
