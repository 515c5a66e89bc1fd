package dev.roundhouse.host.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

  private final ByteTokenizer tok = new ByteTokenizer();

  @Test
  void vocabIs256AndAsciiIsOneTokenPerChar() {
    assertEquals(256, tok.vocabSize());
    assertArrayEquals(new int[] {'H', 'i', '!', '\n'}, tok.encode("Hi!\n"));
    assertArrayEquals(new int[0], tok.encode(""));
  }

  @Test
  void validTextEncodesToStandardUtf8AndRoundTrips() {
    for (String s : new String[] {"héllo wörld", "日本語のテキスト", "emoji 😀 and 𝄞", "Ωmega ∑ €", "\u0000\u007f\u0080\u07ff\u0800\uffff"}) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      int[] tokens = tok.encode(s);
      assertEquals(utf8.length, tokens.length, s);
      for (int i = 0; i < utf8.length; i++) {
        assertEquals(utf8[i] & 0xFF, tokens[i], s + " byte " + i);
      }
      assertEquals(s, tok.decode(tokens));
    }
    assertEquals(2, tok.encode("é").length);
    assertEquals(4, tok.encode("😀").length);
  }

  @Test
  void unpairedSurrogatesRoundTrip() {
    for (String s : new String[] {"\uD800", "a\uDC00b", "\uDBFF\uDFFF", "x\uD83D", "\uDE00\uD83D"}) {
      assertEquals(s, tok.decode(tok.encode(s)), "round trip of " + s.chars().boxed().toList());
    }
  }

  @Test
  void randomStringsOverAllCharsRoundTrip() {
    SplittableRandom r = new SplittableRandom(7);
    for (int n = 0; n < 200; n++) {
      char[] chars = new char[r.nextInt(40)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = (char) r.nextInt(0x10000);
      }
      String s = new String(chars);
      assertEquals(s, tok.decode(tok.encode(s)));
    }
  }

  @Test
  void malformedBytesDecodeToReplacementCharacters() {
    assertEquals("\uFFFDa", tok.decode(new int[] {0xFF, 'a'}));
    assertEquals("\uFFFD\uFFFD", tok.decode(new int[] {0xE6, 0x97})); // truncated 3-byte char
    assertEquals("\uFFFD\uFFFDz", tok.decode(new int[] {0xC0, 0x80, 'z'})); // overlong NUL
  }

  @Test
  void decodeRejectsTokensOutsideTheVocabulary() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {65, 300}));
    assertTrue(e.getMessage().contains("300") && e.getMessage().contains("position 1"), e.getMessage());
  }
}
