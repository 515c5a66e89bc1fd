package dev.roundhouse.host.data.tokenizer;

import java.util.List;

/**
 * The cl100k_base pre-tokenizer regex ({@link SplitPattern#CL100K}, also what {@link BpeTrainer}
 * writes) as a hand-written scanner: the same pieces as the regex through {@link
 * java.util.regex.Matcher#find()}, without backtracking. At each position the alternatives are
 * tried in the regex's order:
 *
 * <ol>
 *   <li>{@code (?i:'s|'t|'re|'ve|'m|'ll|'d)} (ASCII case folding, as Java's {@code (?i)});
 *   <li>{@code [^\r\n\p{L}\p{N}]?\p{L}+};
 *   <li>{@code \p{N}{1,3}};
 *   <li>{@code  ?[^\s\p{L}\p{N}]+[\r\n]*};
 *   <li>{@code \s*[\r\n]+}: the whitespace run up to and including its last CR or LF;
 *   <li>{@code \s+(?!\S)}: the whitespace run, less its last char when a non-space follows;
 *   <li>{@code \s+}.
 * </ol>
 *
 * Every code point starts a match of one of them (letters 2, numbers 3, whitespace 5-7, the rest
 * 2 or 4), so the pieces cover the text and there are no gaps. {@code \s} is the Unicode
 * White_Space set, as {@link SplitPattern} compiles it; {@code \p{L}} and {@code \p{N}} are the
 * JDK's general categories, as in {@link java.util.regex.Pattern}. Stateless; thread-safe.
 * {@code SplitScannerTest} checks it against the regex.
 */
final class Cl100kSplitter {

  private Cl100kSplitter() {}

  /** Adds the pieces of {@code text} to {@code out}. */
  static void split(String text, List<String> out) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      int end = matchAt(text, i, n);
      out.add(text.substring(i, end));
      i = end;
    }
  }

  /** Gives {@code sink} the pieces of {@code text} as regions, in order. */
  static void forEach(String text, SplitPattern.PieceSink sink) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      int end = matchAt(text, i, n);
      sink.accept(text, i, end);
      i = end;
    }
  }

  /** End of the match starting at {@code i} (always > i). */
  private static int matchAt(String t, int i, int n) {
    int c = t.codePointAt(i);
    int ci = i + Character.charCount(c);
    if (c == '\'') {
      int e = contraction(t, ci, n);
      if (e > 0) {
        return e;
      }
    }
    if (isLetter(c)) {
      return letters(t, ci, n);
    }
    boolean ws = isSpace(c);
    boolean number = !ws && isNumber(c);
    if (!number && c != '\r' && c != '\n' && ci < n) { // [^\r\n\p{L}\p{N}]\p{L}+
      int d = t.codePointAt(ci);
      if (isLetter(d)) {
        return letters(t, ci + Character.charCount(d), n);
      }
    }
    if (number) { // \p{N}{1,3}
      int e = ci;
      for (int k = 1; k < 3 && e < n; k++) {
        int d = t.codePointAt(e);
        if (!isNumber(d)) {
          break;
        }
        e += Character.charCount(d);
      }
      return e;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    int from = -1;
    if (!ws) {
      from = i;
    } else if (c == ' ' && ci < n) {
      int d = t.codePointAt(ci);
      if (isOther(d)) {
        from = ci;
      }
    }
    if (from >= 0) {
      int e = from;
      while (e < n) {
        int d = t.codePointAt(e);
        if (!isOther(d)) {
          break;
        }
        e += Character.charCount(d);
      }
      while (e < n && (t.charAt(e) == '\r' || t.charAt(e) == '\n')) {
        e++;
      }
      return e;
    }
    // c is whitespace (all White_Space code points are single chars)
    int j = i + 1;
    int lastBreak = c == '\r' || c == '\n' ? i : -1;
    while (j < n && isSpace(t.charAt(j))) {
      if (t.charAt(j) == '\r' || t.charAt(j) == '\n') {
        lastBreak = j;
      }
      j++;
    }
    if (lastBreak >= 0) { // \s*[\r\n]+
      return lastBreak + 1;
    }
    if (j == n || j - 1 == i) { // \s+(?!\S) up to the end, or \s+ of one char before a non-space
      return j;
    }
    return j - 1; // \s+(?!\S): the run less its last char
  }

  /** End of {@code (?i:s|t|re|ve|m|ll|d)} at {@code k} (after an apostrophe), or -1. */
  private static int contraction(String t, int k, int n) {
    if (k >= n) {
      return -1;
    }
    char a = lower(t.charAt(k));
    if (a == 's' || a == 't' || a == 'm' || a == 'd') {
      return k + 1;
    }
    if (k + 1 < n) {
      char b = lower(t.charAt(k + 1));
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
        return k + 2;
      }
    }
    return -1;
  }

  private static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  private static int letters(String t, int e, int n) {
    while (e < n) {
      char ch = t.charAt(e);
      if (ch < 0x80) { // ASCII fast path
        if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') {
          e++;
          continue;
        }
        return e;
      }
      int d = t.codePointAt(e);
      if (!isLetter(d)) {
        return e;
      }
      e += Character.charCount(d);
    }
    return e;
  }

  static boolean isLetter(int c) {
    if (c < 0x80) {
      return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    }
    return Character.isLetter(c);
  }

  static boolean isNumber(int c) {
    if (c < 0x80) {
      return c >= '0' && c <= '9';
    }
    int type = Character.getType(c);
    return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  /** The Unicode White_Space property (what {@code \s} means in the reference engines). */
  static boolean isSpace(int c) {
    if (c < 0x80) {
      return c == ' ' || (c >= 0x09 && c <= 0x0D);
    }
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
        || c == 0x202F || c == 0x205F || c == 0x3000;
  }

  /** Neither whitespace, letter nor number: {@code [^\s\p{L}\p{N}]}. */
  private static boolean isOther(int c) {
    return !isSpace(c) && !isLetter(c) && !isNumber(c);
  }
}
