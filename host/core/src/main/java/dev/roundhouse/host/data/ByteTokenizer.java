package dev.roundhouse.host.data;

import java.util.Arrays;

/**
 * Byte-level tokenizer: a token is one byte of the text's UTF-8 encoding (vocab 256).
 *
 * <p>Lossless for every Java string: valid text encodes to standard UTF-8; an unpaired surrogate
 * (which UTF-8 cannot express) encodes to its 3-byte generalised form (WTF-8) and decodes back to the
 * same char. Decoding accepts any byte sequence: a byte that does not start a well-formed sequence
 * becomes U+FFFD and decoding continues with the next byte.
 */
public final class ByteTokenizer implements Tokenizer {

  /** Number of byte values. */
  public static final int VOCAB_SIZE = 256;

  @Override
  public int vocabSize() {
    return VOCAB_SIZE;
  }

  @Override
  public int[] encode(String text) {
    int[] out = new int[utf8Length(text)];
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        out[n++] = c;
      } else if (c < 0x800) {
        out[n++] = 0xC0 | (c >> 6);
        out[n++] = 0x80 | (c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, text.charAt(++i));
        out[n++] = 0xF0 | (cp >> 18);
        out[n++] = 0x80 | ((cp >> 12) & 0x3F);
        out[n++] = 0x80 | ((cp >> 6) & 0x3F);
        out[n++] = 0x80 | (cp & 0x3F);
      } else { // BMP char, or an unpaired surrogate (WTF-8)
        out[n++] = 0xE0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 0x3F);
        out[n++] = 0x80 | (c & 0x3F);
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** Number of bytes {@link #encode} gives for {@code text} (3 per unpaired surrogate, its generalised UTF-8 form). */
  static int utf8Length(String text) {
    return Utf8.length(text, 3);
  }

  @Override
  public String decode(int[] tokens) {
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= VOCAB_SIZE) {
        throw new IllegalArgumentException(
            "token " + tokens[i] + " at position " + i + " is outside the byte vocabulary [0, 256)");
      }
    }
    StringBuilder sb = new StringBuilder(tokens.length);
    int i = 0;
    while (i < tokens.length) {
      int b = tokens[i];
      int len = sequenceLength(tokens, i);
      if (len == 1) {
        sb.append(b < 0x80 ? (char) b : '\uFFFD');
      } else if (len == 2) {
        sb.append((char) (((b & 0x1F) << 6) | (tokens[i + 1] & 0x3F)));
      } else if (len == 3) {
        sb.append((char) (((b & 0x0F) << 12) | ((tokens[i + 1] & 0x3F) << 6) | (tokens[i + 2] & 0x3F)));
      } else {
        sb.appendCodePoint(((b & 0x07) << 18) | ((tokens[i + 1] & 0x3F) << 12)
            | ((tokens[i + 2] & 0x3F) << 6) | (tokens[i + 3] & 0x3F));
      }
      i += len;
    }
    return sb.toString();
  }

  /** Length of the well-formed sequence starting at {@code i}, or 1 for ASCII and bad bytes. */
  private static int sequenceLength(int[] t, int i) {
    int b = t[i];
    if (b >= 0xC2 && b <= 0xDF && continuation(t, i + 1, 0x80, 0xBF)) {
      return 2;
    }
    if (b >= 0xE0 && b <= 0xEF) { // surrogates ED A0..BF allowed: WTF-8
      int lo = b == 0xE0 ? 0xA0 : 0x80;
      if (continuation(t, i + 1, lo, 0xBF) && continuation(t, i + 2, 0x80, 0xBF)) {
        return 3;
      }
    }
    if (b >= 0xF0 && b <= 0xF4) {
      int lo = b == 0xF0 ? 0x90 : 0x80;
      int hi = b == 0xF4 ? 0x8F : 0xBF;
      if (continuation(t, i + 1, lo, hi) && continuation(t, i + 2, 0x80, 0xBF)
          && continuation(t, i + 3, 0x80, 0xBF)) {
        return 4;
      }
    }
    return 1;
  }

  private static boolean continuation(int[] t, int i, int lo, int hi) {
    return i < t.length && t[i] >= lo && t[i] <= hi;
  }
}
