package dev.roundhouse.host.data;

/** UTF-8 byte counts of Java strings without encoding them. Stateless; safe from any thread. */
public final class Utf8 {
  private Utf8() {}

  /**
   * Bytes of {@code text} in UTF-8: 1, 2 or 3 per char, 4 per surrogate pair, and
   * {@code unpairedSurrogate} per unpaired surrogate (3 for its generalised UTF-8 form, as
   * {@link ByteTokenizer} writes it; 1 for {@code String.getBytes(UTF_8)}, which writes '?').
   */
  public static int length(String text, int unpairedSurrogate) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (!Character.isSurrogate(c)) {
        n += 3;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += unpairedSurrogate;
      }
    }
    return n;
  }
}
