package dev.roundhouse.host.data.tokenizer;

import dev.roundhouse.host.data.DataException;

/** A tokenizer file that cannot be used: the message names the file and what is wrong with it. */
public final class TokenizerFileException extends DataException {

  public TokenizerFileException(String message) {
    super(message);
  }
}
