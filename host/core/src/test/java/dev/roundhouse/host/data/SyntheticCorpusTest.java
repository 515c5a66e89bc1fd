package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SyntheticCorpusTest {

  private static final ByteTokenizer TOK = new ByteTokenizer();
  private static final TokenStream CORPUS = SyntheticCorpus.generate(1337, 200_000, TOK);

  /** The text of every maximal run of tokens with domain {@code d}. */
  private static List<String> spans(TokenStream s, int d) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.size()) {
      int j = i;
      while (j < s.size() && s.domains()[j] == s.domains()[i]) {
        j++;
      }
      if (s.domains()[i] == d) {
        out.add(TOK.decode(Arrays.copyOfRange(s.tokens(), i, j)));
      }
      i = j;
    }
    return out;
  }

  @Test
  void sameSeedSameCorpusDifferentSeedDifferentCorpus() {
    TokenStream again = SyntheticCorpus.generate(1337, 200_000, TOK);
    assertArrayEquals(CORPUS.tokens(), again.tokens());
    assertArrayEquals(CORPUS.domains(), again.domains());
    TokenStream other = SyntheticCorpus.generate(1338, 200_000, TOK);
    assertFalse(Arrays.equals(CORPUS.tokens(), Arrays.copyOf(other.tokens(), CORPUS.size())));
  }

  @Test
  void sizeIsAboutTheTarget() {
    assertTrue(CORPUS.size() >= 200_000 && CORPUS.size() < 201_000, "size " + CORPUS.size());
    TokenStream dflt = DataSources.open(null, TOK, 5);
    assertTrue(dflt.size() >= 2_000_000 && dflt.size() < 2_001_000, "default size " + dflt.size());
  }

  @Test
  void everyDomainIsPresentWithARoughlyEqualTokenShare() {
    assertEquals(List.of("arithmetic", "english", "json", "code"), CORPUS.domainNames());
    long[] counts = CORPUS.domainCounts();
    for (int d = 0; d < counts.length; d++) {
      double frac = counts[d] / (double) CORPUS.size();
      assertTrue(frac > 0.15 && frac < 0.35, CORPUS.domainNames().get(d) + " has token share " + frac);
    }
  }

  @Test
  void arithmeticIsCorrect() {
    Pattern eq = Pattern.compile("(\\d+)([+*-])(\\d+)=(\\d+);");
    int checked = 0;
    for (String span : spans(CORPUS, 0)) {
      for (String line : span.split("\n")) {
        assertTrue(line.matches("(\\d+[+*-]\\d+=\\d+;)+"), "arithmetic line: " + line);
        Matcher m = eq.matcher(line);
        while (m.find()) {
          long a = Long.parseLong(m.group(1));
          long b = Long.parseLong(m.group(3));
          long expected = switch (m.group(2)) {
            case "+" -> a + b;
            case "-" -> a - b;
            default -> a * b;
          };
          assertEquals(expected, Long.parseLong(m.group(4)), m.group());
          checked++;
        }
      }
    }
    assertTrue(checked > 1000, "checked " + checked);
  }

  @Test
  void jsonRecordsParseAndEnglishSentencesAreWellFormed() throws Exception {
    ObjectMapper json = new ObjectMapper();
    for (String span : spans(CORPUS, 2)) {
      for (String line : span.split("\n")) {
        JsonNode node = json.readTree(line);
        assertTrue(node.get("id").isInt() && node.get("tags").isArray(), line);
      }
    }
    for (String span : spans(CORPUS, 1)) {
      for (String line : span.split("\n")) {
        assertTrue(line.matches("([A-Z][a-z ]+\\. )*[A-Z][a-z ]+\\."), "english line: " + line);
      }
    }
    for (String span : spans(CORPUS, 3)) {
      assertTrue(span.startsWith("def ") && span.contains("    return "), span);
    }
  }

  @Test
  void domainsHaveClearlyDifferentStatistics() {
    double[] digits = new double[4];
    double[] braces = new double[4];
    for (int i = 0; i < CORPUS.size(); i++) {
      int t = CORPUS.tokens()[i];
      int d = CORPUS.domains()[i];
      digits[d] += Character.isDigit(t) ? 1 : 0;
      braces[d] += t == '{' || t == '"' ? 1 : 0;
    }
    long[] counts = CORPUS.domainCounts();
    assertTrue(digits[0] / counts[0] > 0.5, "arithmetic is mostly digits");
    assertEquals(0, digits[1], "english has no digits");
    assertTrue(braces[2] / counts[2] > 0.1, "json is quote-heavy");
    assertEquals(0, braces[3], "code has no braces or quotes");
  }
}
