package dev.roundhouse.host.data.tokenizer;

import dev.roundhouse.host.data.Tokenizer;

/** UTF-8 byte length of every token id of a tokenizer, for bits per byte. */
public final class TokenBytes {

  private TokenBytes() {}

  /** Lengths indexed by id; ids without bytes (unused ids) get 0. */
  public static int[] of(Tokenizer tok) {
    int[] len = new int[tok.vocabSize()];
    for (int id = 0; id < len.length; id++) {
      if (tok instanceof BpeTokenizer bpe) {
        try {
          len[id] = bpe.bytesOf(id).length;
        } catch (IllegalArgumentException e) {
          len[id] = 0;
        }
      } else {
        len[id] = 1; // byte tokenizer: one byte per token
      }
    }
    return len;
  }
}
