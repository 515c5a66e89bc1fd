package dev.roundhouse.host.data.prepare;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Exact and near duplicate detection across all sources, in document order (the first occurrence
 * stays). Exact: a 128-bit hash of the normalised text (NFC, lower case, runs of whitespace as one
 * space, trimmed). Near: MinHash signatures of the normalised text's character 5-grams
 * ({@code numPerm} hash functions h_i(x) = a_i * x + b_i over a 64-bit shingle hash), banded LSH
 * ({@code bands} bands of numPerm / bands rows) proposes candidates, and a candidate whose estimated
 * Jaccard similarity (share of equal signature entries) is at least the threshold is a duplicate.
 * {@link #fingerprint} (normalisation, signature, band keys) is thread-safe and runs on all cores;
 * {@link #decide} is sequential in document order, so results are deterministic. Not thread-safe
 * otherwise.
 */
final class Dedup {

  static final int SHINGLE = 5;

  /** Each thread's buffer of shingle hashes (reused: signatures are the bulk of the work). */
  private static final ThreadLocal<long[]> SHINGLE_HASHES = ThreadLocal.withInitial(() -> new long[1024]);

  private final MixSpec.Dedup spec;
  private final Set<String> exactSeen = new HashSet<>();
  /** Band key -> indices into {@link #kept} of the kept signatures with that band. */
  private final LongIntMultimap buckets = new LongIntMultimap();
  private final List<long[]> kept = new ArrayList<>();
  /** Per kept signature: the last {@link #stamp} it was compared at (each candidate once per document). */
  private int[] checkedAt = new int[16];
  private int stamp;
  /** {@link #minSame} for the signature length and threshold, once known. */
  private int minSame = -1;
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

  /**
   * What the decisions need of one document: its normalised text (the exact key; its hash code is
   * computed here too), MinHash signature and LSH band keys (null when near dedup is off). A pure
   * function of the document and the functions: any thread may compute it.
   */
  record Fingerprint(String key, long[] sig, long[] bandKeys) {}

  /** The fingerprint of {@code doc}; thread-safe. */
  Fingerprint fingerprint(String doc) {
    String key = normalise(doc);
    key.hashCode(); // cached in the string: the sequential decisions then only compare
    if (spec.nearThreshold() <= 0) {
      return new Fingerprint(key, null, null);
    }
    long[] sig = signature(key);
    int rows = sig.length / spec.bands();
    long[] keys = new long[spec.bands()];
    for (int band = 0; band < keys.length; band++) {
      keys[band] = bandKey(sig, band, rows);
    }
    return new Fingerprint(key, sig, keys);
  }

  /**
   * Decides one document, in document order (call from one thread): 0 keep, 1 exact duplicate, 2
   * near duplicate of a kept one. Marks kept ones as seen.
   */
  int decide(Fingerprint f) {
    if (spec.exact() && exactSeen.contains(f.key())) {
      return 1;
    }
    if (f.sig() != null && isNearDuplicate(f)) {
      return 2;
    }
    if (spec.exact()) {
      exactSeen.add(f.key());
    }
    if (f.sig() != null) {
      insert(f);
    }
    return 0;
  }

  /** For each document: 0 keep, 1 exact duplicate, 2 near duplicate. Marks kept ones as seen. */
  int[] classify(List<String> docs) {
    int[] out = new int[docs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = decide(fingerprint(docs.get(i)));
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
    long[] hashes = SHINGLE_HASHES.get();
    if (hashes.length < n) {
      hashes = new long[Math.max(n, 2 * hashes.length)];
      SHINGLE_HASHES.set(hashes);
    }
    for (int s = 0; s < n; s++) {
      long h = 0xCBF29CE484222325L;
      for (int k = s, end = Math.min(text.length(), s + SHINGLE); k < end; k++) {
        h = (h ^ text.charAt(k)) * 0x100000001B3L;
      }
      hashes[s] = fmix(h);
    }
    long[] sig = new long[a.length];
    int i = 0;
    // four functions per pass over the hashes: four independent multiply-min chains share each load
    for (; i + 4 <= sig.length; i += 4) {
      long a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
      long b0 = b[i] ^ Long.MIN_VALUE, b1 = b[i + 1] ^ Long.MIN_VALUE;
      long b2 = b[i + 2] ^ Long.MIN_VALUE, b3 = b[i + 3] ^ Long.MIN_VALUE;
      // the start value Long.MAX_VALUE (unsigned), in flipped order: -1
      long m0 = -1, m1 = -1, m2 = -1, m3 = -1;
      for (int s = 0; s < n; s++) {
        long h = hashes[s];
        // (a h + b) ^ MIN == a h + (b ^ MIN): flipping the sign bit is adding 2^63 mod 2^64
        m0 = Math.min(m0, a0 * h + b0);
        m1 = Math.min(m1, a1 * h + b1);
        m2 = Math.min(m2, a2 * h + b2);
        m3 = Math.min(m3, a3 * h + b3);
      }
      sig[i] = m0 ^ Long.MIN_VALUE;
      sig[i + 1] = m1 ^ Long.MIN_VALUE;
      sig[i + 2] = m2 ^ Long.MIN_VALUE;
      sig[i + 3] = m3 ^ Long.MIN_VALUE;
    }
    for (; i < sig.length; i++) {
      long ai = a[i];
      long bi = b[i] ^ Long.MIN_VALUE;
      long min = -1;
      for (int s = 0; s < n; s++) {
        min = Math.min(min, ai * hashes[s] + bi);
      }
      sig[i] = min ^ Long.MIN_VALUE;
    }
    return sig;
  }

  private boolean isNearDuplicate(Fingerprint f) {
    if (minSame < 0) {
      minSame = minSame(f.sig().length, spec.nearThreshold());
    }
    stamp++;
    for (long key : f.bandKeys()) {
      for (int e = buckets.first(key); e >= 0; e = buckets.next(e)) {
        int other = buckets.value(e);
        if (checkedAt[other] != stamp) {
          checkedAt[other] = stamp;
          if (atLeast(f.sig(), kept.get(other), minSame)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private void insert(Fingerprint f) {
    int id = kept.size();
    kept.add(f.sig());
    if (id == checkedAt.length) {
      checkedAt = java.util.Arrays.copyOf(checkedAt, Math.max(16, 2 * id));
    }
    for (long key : f.bandKeys()) {
      buckets.add(key, id);
    }
  }

  /** The least number of equal entries s with {@code (double) s / n >= threshold} (n + 1 if none). */
  static int minSame(int n, double threshold) {
    int s = 0;
    while (s <= n && !((double) s / n >= threshold)) {
      s++;
    }
    return s;
  }

  /**
   * Whether at least {@code need} entries of x and y are equal, that is {@code similarity(x, y) >=
   * threshold} for {@code need = minSame(n, threshold)}; stops as soon as the answer is known.
   */
  static boolean atLeast(long[] x, long[] y, int need) {
    int allowedMisses = x.length - need;
    int misses = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] != y[i] && ++misses > allowedMisses) {
        return false;
      }
    }
    return misses <= allowedMisses;
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
