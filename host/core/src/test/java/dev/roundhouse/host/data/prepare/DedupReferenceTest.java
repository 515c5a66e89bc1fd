package dev.roundhouse.host.data.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.host.data.SourceDocuments;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast normalisation and MinHash signature equal their plain definitions (a regex replace; a
 * per-shingle loop with unsigned comparisons) on random text with every whitespace kind, Unicode
 * and extreme hash values, so prepared datasets stay byte-identical.
 */
class DedupReferenceTest {

  static String normaliseReference(String doc) {
    return Normalizer.normalize(doc, Normalizer.Form.NFC).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
  }

  static long[] signatureReference(String text, long[] a, long[] b) {
    long[] sig = new long[a.length];
    java.util.Arrays.fill(sig, Long.MAX_VALUE);
    int n = Math.max(1, text.length() - Dedup.SHINGLE + 1);
    for (int s = 0; s < n; s++) {
      long h = 0xCBF29CE484222325L;
      for (int k = s; k < Math.min(text.length(), s + Dedup.SHINGLE); k++) {
        h = (h ^ text.charAt(k)) * 0x100000001B3L;
      }
      h = Dedup.fmix(h);
      for (int i = 0; i < sig.length; i++) {
        long v = a[i] * h + b[i];
        if (Long.compareUnsigned(v, sig[i]) < 0) {
          sig[i] = v;
        }
      }
    }
    return sig;
  }

  static List<String> texts() {
    List<String> out = new ArrayList<>(SourceDocuments.synthetic("t", "code", 50, 5));
    out.addAll(SourceDocuments.synthetic("t", "english", 50, 5));
    String alphabet = "aZ9 \t\n\u000B\f\r\u00A0\u2003\u0085\u1680Ää\u0301Σς.,{}😀\u00C5";
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      int len = r.nextInt(0, 40);
      for (int k = 0; k < len; k++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      out.add(sb.toString());
    }
    return out;
  }

  @Test
  void normaliseEqualsTheRegexDefinition() {
    for (String t : texts()) {
      assertEquals(normaliseReference(t), Dedup.normalise(t), () -> "text " + t.codePoints().boxed().toList());
    }
  }

  @Test
  void signatureEqualsThePerShingleUnsignedLoop() {
    Dedup d = new Dedup(new MixSpec.Dedup(true, 0.8, 64, 8), 7);
    SplittableRandom r = new SplittableRandom(9);
    long[] a = new long[64];
    long[] b = new long[64];
    // the dedup's own functions, read back through a one-shingle text is not possible: use random and extreme ones too
    for (int i = 0; i < 64; i++) {
      a[i] = i < 4 ? new long[] {1, -1, Long.MAX_VALUE, Long.MIN_VALUE + 1}[i] : r.nextLong() | 1;
      b[i] = i < 4 ? new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}[i] : r.nextLong();
    }
    Dedup custom = Dedup.withFunctions(a, b);
    for (String t : texts()) {
      String n = Dedup.normalise(t);
      assertArrayEquals(signatureReference(n, a, b), custom.signature(n), n);
      assertArrayEquals(signatureReference(n, d.functionsA(), d.functionsB()), d.signature(n), n);
    }
  }
}
