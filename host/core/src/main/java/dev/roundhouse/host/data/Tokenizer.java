package dev.roundhouse.host.data;

/**
 * Maps text to integer tokens in {@code [0, vocabSize())} and back. Implementations are stateless
 * and thread-safe.
 */
public interface Tokenizer {

  /** Number of distinct token ids; every id produced by {@link #encode} is below this. */
  int vocabSize();

  /** Tokens of {@code text}, in order. */
  int[] encode(String text);

  /**
   * Text of {@code tokens}. Sequences that are not valid text (e.g. a sampled byte sequence cut in
   * the middle of a character) decode to U+FFFD replacement characters, never to an exception.
   *
   * @throws IllegalArgumentException if a token is outside {@code [0, vocabSize())}
   */
  String decode(int[] tokens);
}
