package com.example.roundhouse.hash;

/**
 * Config of the {@code "hash"} router, read from {@code {"type": "hash", "bits": 12, "salt": 7}}.
 * Null (absent) fields take their defaults; bad values fail naming the field.
 *
 * @param bits length of each token's hash code: the number of random hyperplanes its hidden row is
 *     compared with (default 12, in [1, 30]); more bits, finer buckets
 * @param salt mixed into the code before it picks experts (default 0): a different salt gives a
 *     different, equally balanced assignment
 */
public record HashRouterConfig(Integer bits, Long salt) {
  public HashRouterConfig {
    bits = bits == null ? 12 : bits;
    salt = salt == null ? 0L : salt;
    if (bits < 1 || bits > 30) {
      throw new IllegalArgumentException("hash: bits must be in [1, 30], got " + bits);
    }
  }

  /** All defaults. */
  public static HashRouterConfig defaults() {
    return new HashRouterConfig(null, null);
  }
}
