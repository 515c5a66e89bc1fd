package dev.roundhouse.host.data.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pre-tokenizer regex (the split pattern of tiktoken encodings and of tokenizer.json "Split"
 * pre-tokenizers) compiled to a Java pattern with the reference engines' meaning.
 *
 * <p>The patterns are written for Oniguruma (Hugging Face) and Rust regex / fancy-regex (tiktoken),
 * where {@code \s} is the Unicode White_Space property. Java's {@code \s} is ASCII-only, so
 * {@code \s} and {@code \S} are rewritten to the White_Space set (U+0009-000D, U+0020, U+0085,
 * U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000). {@code \p{L}}, {@code \p{N}}
 * and the other categories mean the same in all engines up to the Unicode version of the JDK
 * (Unicode 13 for Java 17): letters added later are not letters here. {@code (?i:...)} folds ASCII
 * case only, as the JavaScript peers do. Immutable and thread-safe.
 */
public final class SplitPattern {

  /** GPT-2 / r50k_base / p50k_base. */
  public static final String GPT2 =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  /** cl100k_base (GPT-4); also Llama-3's and the pattern {@link BpeTrainer} splits with. */
  public static final String CL100K =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
          + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  /** o200k_base (GPT-4o). */
  public static final String O200K = String.join("|",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "\\p{N}{1,3}", " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*", "\\s*[\\r\\n]+", "\\s+(?!\\S)", "\\s+");

  /** Named patterns a config may give instead of a regex. */
  public static final Map<String, String> NAMED = Map.of(
      "gpt2", GPT2, "r50k_base", GPT2, "p50k_base", GPT2, "cl100k_base", CL100K, "o200k_base", O200K);

  private static final String WHITE_SPACE =
      "\\t\\n\\x0B\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

  private final String source;
  private final Pattern pattern;
  /** The pattern is {@link #CL100K}: split with {@link Cl100kSplitter} (same pieces, no backtracking). */
  private final boolean cl100k;

  private SplitPattern(String source, Pattern pattern) {
    this.source = source;
    this.pattern = pattern;
    this.cl100k = source.equals(CL100K);
  }

  /**
   * Compiles a regex in the reference engines' syntax.
   *
   * @throws IllegalArgumentException if Java cannot compile it (message names the position)
   */
  public static SplitPattern compile(String regex) {
    try {
      return new SplitPattern(regex, Pattern.compile(toJava(regex)));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("split pattern does not compile: " + e.getDescription()
          + " near index " + e.getIndex() + " of " + regex, e);
    }
  }

  /** The regex as given. */
  public String source() {
    return source;
  }

  /**
   * Splits {@code text} into pieces: every match, and with {@code keepGaps} also the text between
   * matches (Hugging Face's "Isolated" behaviour); without it unmatched text is dropped (tiktoken).
   */
  public List<String> split(String text, boolean keepGaps) {
    List<String> out = new ArrayList<>();
    if (cl100k) {
      Cl100kSplitter.split(text, out); // its matches leave no gaps
      return out;
    }
    return splitWithRegex(text, keepGaps, out);
  }

  /** Receives the pieces of a text as regions {@code [from, to)}. */
  interface PieceSink {
    void accept(String text, int from, int to);
  }

  /** The pieces {@link #split} gives, in order, as regions of {@code text} (nothing is copied). */
  void forEachPiece(String text, boolean keepGaps, PieceSink sink) {
    if (cl100k) {
      Cl100kSplitter.forEach(text, sink);
      return;
    }
    forEachRegexPiece(text, keepGaps, sink);
  }

  /** The regex engine's pieces (and with keepGaps the unmatched gaps between them) as regions of text. */
  private void forEachRegexPiece(String text, boolean keepGaps, PieceSink sink) {
    Matcher m = pattern.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.end() == m.start()) {
        continue;
      }
      if (keepGaps && m.start() > last) {
        sink.accept(text, last, m.start());
      }
      sink.accept(text, m.start(), m.end());
      last = m.end();
    }
    if (keepGaps && last < text.length()) {
      sink.accept(text, last, text.length());
    }
  }

  /** {@link #split} through the regex engine, whatever the pattern (the reference for the scanners). */
  List<String> splitWithRegex(String text, boolean keepGaps, List<String> out) {
    forEachRegexPiece(text, keepGaps, (t, from, to) -> out.add(t.substring(from, to)));
    return out;
  }

  /** Rewrites {@code \s} / {@code \S} to the Unicode White_Space set, inside and outside classes. */
  static String toJava(String regex) {
    StringBuilder sb = new StringBuilder(regex.length() + 64);
    int depth = 0;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < regex.length()) {
        char e = regex.charAt(i + 1);
        i++;
        if (e == 's') {
          sb.append(depth > 0 ? WHITE_SPACE : "[" + WHITE_SPACE + "]");
        } else if (e == 'S') {
          if (depth > 0) {
            throw new IllegalArgumentException("\\S inside a character class is not supported: " + regex);
          }
          sb.append("[^").append(WHITE_SPACE).append(']');
        } else {
          sb.append(c).append(e);
        }
      } else {
        if (c == '[') {
          depth++;
        } else if (c == ']' && depth > 0) {
          depth--;
        }
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
