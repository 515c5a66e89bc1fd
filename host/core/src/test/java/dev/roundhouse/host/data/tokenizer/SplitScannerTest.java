package dev.roundhouse.host.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The cl100k scanner ({@link Cl100kSplitter}) gives the pieces the regex gives, on random text over
 * an alphabet of every class the pattern distinguishes (ASCII and Unicode letters, numbers of all
 * three categories, every White_Space char, CR/LF runs, apostrophe contractions in both cases,
 * marks, symbols, surrogate pairs and unpaired surrogates) and on the shared corpus.
 */
class SplitScannerTest {

  private static final String[] ALPHABET = {
      "a", "Z", "s", "S", "t", "r", "e", "E", "v", "l", "L", "m", "d", "D", "x", "'", "'", "0", "7", "\u0663", "\u00B2",
      "\u216B", " ", " ", "\t", "\n", "\r", "\u000B", "\f", "\u0085", "\u00A0", "\u1680", "\u2003", "\u2028",
      "\u2029", "\u202F", "\u205F", "\u3000", "\u200B", ".", ",", "!", "(", "-", "_", "\u0301", "\u00E9", "\u03A3",
      "\u4E2D", "\uD835\uDC00", "\uD83D\uDE00", "\uD800", "\uDC00", "\u017F", "\u212A", "$", "\u00BD", "\uFF10"};

  private static void check(SplitPattern p, String text) {
    List<String> regex = p.splitWithRegex(text, true, new ArrayList<>());
    assertEquals(regex, p.split(text, true), () -> "text " + text.chars().boxed().toList());
    assertEquals(regex, p.split(text, false), () -> "no gaps in " + text.chars().boxed().toList());
  }

  @Test
  void cl100kScannerEqualsTheRegexOnRandomText() {
    SplitPattern p = SplitPattern.compile(SplitPattern.CL100K);
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      int len = r.nextInt(0, 24);
      for (int k = 0; k < len; k++) {
        sb.append(ALPHABET[r.nextInt(ALPHABET.length)]);
      }
      check(p, sb.toString());
    }
  }

  @Test
  void cl100kScannerEqualsTheRegexOnTheCorpus() throws Exception {
    Path corpus = null; // roundhouse.shared.dir (surefire), else a shared/ folder beside an ancestor
    String prop = System.getProperty("roundhouse.shared.dir");
    if (prop != null && Files.isRegularFile(Path.of(prop, "data/tinyshakespeare.txt"))) {
      corpus = Path.of(prop, "data/tinyshakespeare.txt");
    }
    for (Path d = Path.of("").toAbsolutePath(); corpus == null && d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("shared/data/tinyshakespeare.txt"))) {
        corpus = d.resolve("shared/data/tinyshakespeare.txt");
      }
    }
    Assumptions.assumeTrue(corpus != null, "shared/data/tinyshakespeare.txt not found");
    String text = Files.readString(corpus);
    SplitPattern p = SplitPattern.compile(SplitPattern.CL100K);
    for (int at = 0; at < text.length(); at += 100_000) {
      check(p, text.substring(at, Math.min(text.length(), at + 100_000)));
    }
  }
}
