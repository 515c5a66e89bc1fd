package dev.roundhouse.host.data.prepare;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Exact and near duplicate detection across all sources, in document order (the first occurrence
 * stays). Exact: a 128-bit hash of the normalised text (NFC, lower case, runs of whitespace as one
 * space, trimmed). Near: MinHash signatures of the normalised text's character 5-grams
 * ({@code numPerm} hash functions h_i(x) = a_i * x + b_i over a 64-bit shingle hash), banded LSH
 * ({@code bands} bands of numPerm / bands rows) proposes candidates, and a candidate whose estimated
 * Jaccard similarity (share of equal signature entries) is at least the threshold is a duplicate.
 * Signatures are computed on all cores; the decisions are sequential, so results are deterministic.
 * Not thread-safe.
 */
final class Dedup {

  static final int SHINGLE = 5;

  private final MixSpec.Dedup spec;
  private final Set<String> exactSeen = new HashSet<>();
  private final Map<Long, List<long[]>> buckets = new HashMap<>();
  private final long[] a;
  private final long[] b;

  Dedup(MixSpec.Dedup spec, long seed) {
    this.spec = spec;
    a = new long[spec.numPerm()];
    b = new long[spec.numPerm()];
    for (int i = 0; i < a.length; i++) {
      a[i] = fmix(seed * 0x9E3779B97F4A7C15L + 2 * i + 1) | 1;
      b[i] = fmix(seed * 0xC2B2AE3D27D4EB4FL + 2 * i + 2);
    }
  }

  private Dedup(long[] a, long[] b) {
    this.spec = new MixSpec.Dedup(true, 0.8, a.length, 1);
    this.a = a.clone();
    this.b = b.clone();
  }

  /** For tests: MinHash with the given functions a[i] * h + b[i]. */
  static Dedup withFunctions(long[] a, long[] b) {
    return new Dedup(a, b);
  }

  long[] functionsA() {
    return a.clone();
  }

  long[] functionsB() {
    return b.clone();
  }

  /** For each document: 0 keep, 1 exact duplicate, 2 near duplicate. Marks kept ones as seen. */
  int[] classify(List<String> docs) {
    List<String> norm = docs.parallelStream().map(Dedup::normalise).toList();
    boolean near = spec.nearThreshold() > 0;
    long[][] sigs = near ? IntStream.range(0, docs.size()).parallel().mapToObj(i -> signature(norm.get(i)))
        .toArray(long[][]::new) : null;
    int[] out = new int[docs.size()];
    for (int i = 0; i < docs.size(); i++) {
      String key = norm.get(i);
      if (spec.exact() && exactSeen.contains(key)) {
        out[i] = 1;
        continue;
      }
      if (near && isNearDuplicate(sigs[i])) {
        out[i] = 2;
        continue;
      }
      if (spec.exact()) {
        exactSeen.add(key);
      }
      if (near) {
        insert(sigs[i]);
      }
    }
    return out;
  }

  static String normalise(String doc) {
    String lower = Normalizer.normalize(doc, Normalizer.Form.NFC).toLowerCase(java.util.Locale.ROOT);
    // runs of regex \s ([ \t\n\x0B\f\r]) become one space, as replaceAll("\\s+", " ") did, without a regex
    StringBuilder out = new StringBuilder(lower.length());
    boolean inRun = false;
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      boolean space = c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
      if (!space) {
        out.append(c);
      } else if (!inRun) {
        out.append(' ');
      }
      inRun = space;
    }
    return out.toString().strip();
  }

  /**
   * MinHash signature: per function i the least (unsigned) a[i] * h + b[i] over the shingle hashes h.
   * The shingle hashes are computed once, then each function scans them; the unsigned minimum is a
   * signed minimum of the values with their sign bit flipped (branch-free).
   */
  long[] signature(String text) {
    int n = Math.max(1, text.length() - SHINGLE + 1);
    long[] hashes = new long[n];
    for (int s = 0; s < n; s++) {
      long h = 0xCBF29CE484222325L;
      for (int k = s; k < Math.min(text.length(), s + SHINGLE); k++) {
        h = (h ^ text.charAt(k)) * 0x100000001B3L;
      }
      hashes[s] = fmix(h);
    }
    long[] sig = new long[a.length];
    for (int i = 0; i < sig.length; i++) {
      long ai = a[i];
      long bi = b[i];
      long min = Long.MAX_VALUE ^ Long.MIN_VALUE; // the start value, in flipped order
      for (long h : hashes) {
        min = Math.min(min, (ai * h + bi) ^ Long.MIN_VALUE);
      }
      sig[i] = min ^ Long.MIN_VALUE;
    }
    return sig;
  }

  private boolean isNearDuplicate(long[] sig) {
    int rows = sig.length / spec.bands();
    Set<long[]> checked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int band = 0; band < spec.bands(); band++) {
      List<long[]> bucket = buckets.get(bandKey(sig, band, rows));
      if (bucket == null) {
        continue;
      }
      for (long[] other : bucket) {
        if (checked.add(other) && similarity(sig, other) >= spec.nearThreshold()) {
          return true;
        }
      }
    }
    return false;
  }

  private void insert(long[] sig) {
    int rows = sig.length / spec.bands();
    for (int band = 0; band < spec.bands(); band++) {
      buckets.computeIfAbsent(bandKey(sig, band, rows), k -> new ArrayList<>(1)).add(sig);
    }
  }

  static double similarity(long[] x, long[] y) {
    int same = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] == y[i]) {
        same++;
      }
    }
    return (double) same / x.length;
  }

  private static long bandKey(long[] sig, int band, int rows) {
    long h = band * 0x9E3779B97F4A7C15L;
    for (int r = band * rows; r < (band + 1) * rows; r++) {
      h = fmix(h ^ sig[r]);
    }
    return h;
  }

  static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
