package dev.roundhouse.host.data;

import java.util.Arrays;
import java.util.List;

/**
 * A loaded corpus: one stream of token ids, optionally with a domain id per token.
 *
 * <p>Tokens are held in memory as an {@code int[]} (4 bytes per token): fine for the corpora this
 * project trains on (a few MB to a few hundred MB); the hard limit is {@link #MAX_TOKENS}. The arrays
 * are shared, not copied: callers must not modify them.
 */
public final class TokenStream {

  /** Most tokens one stream can hold (Java array limit). */
  public static final int MAX_TOKENS = Integer.MAX_VALUE - 16;

  private final int[] tokens;
  private final byte[] domains;
  private final List<String> domainNames;
  private final String source;

  /**
   * @param tokens token ids
   * @param domains domain id per token (index into {@code domainNames}), or null if unknown
   * @param domainNames names of the domains; empty when {@code domains} is null
   * @param source human-readable description of where the tokens came from (a path, "synthetic")
   */
  public TokenStream(int[] tokens, byte[] domains, List<String> domainNames, String source) {
    if (domains != null && domains.length != tokens.length) {
      throw new IllegalArgumentException("domains length " + domains.length
          + " differs from tokens length " + tokens.length + " in " + source);
    }
    if (domains == null && !domainNames.isEmpty()) {
      throw new IllegalArgumentException("domain names given without domain ids in " + source);
    }
    this.tokens = tokens;
    this.domains = domains;
    this.domainNames = List.copyOf(domainNames);
    this.source = source;
  }

  /** A stream without domain information. */
  public static TokenStream of(int[] tokens, String source) {
    return new TokenStream(tokens, null, List.of(), source);
  }

  /** Number of tokens. */
  public int size() {
    return tokens.length;
  }

  /** The token ids (shared array: do not modify). */
  public int[] tokens() {
    return tokens;
  }

  /** True when every token carries a domain id. */
  public boolean hasDomains() {
    return domains != null;
  }

  /** Domain id per token (shared array: do not modify), or null. */
  public byte[] domains() {
    return domains;
  }

  /** Domain names indexed by domain id; empty when there are no domains. */
  public List<String> domainNames() {
    return domainNames;
  }

  /** Where the tokens came from. */
  public String source() {
    return source;
  }

  /** Tokens per domain: [domainNames().size()]; empty when there are no domains. */
  public long[] domainCounts() {
    long[] counts = new long[domainNames.size()];
    if (domains != null) {
      for (byte d : domains) {
        counts[d]++;
      }
    }
    return counts;
  }

  /** Largest token id, or -1 when empty. */
  public int maxToken() {
    int max = -1;
    for (int t : tokens) {
      max = Math.max(max, t);
    }
    return max;
  }

  /** A copy of tokens {@code [from, to)} with their domains. */
  public TokenStream slice(int from, int to, String sliceSource) {
    return new TokenStream(Arrays.copyOfRange(tokens, from, to),
        domains == null ? null : Arrays.copyOfRange(domains, from, to), domainNames, sliceSource);
  }

  @Override
  public String toString() {
    return "TokenStream[" + source + ", " + tokens.length + " tokens"
        + (domains == null ? "" : ", domains " + domainNames) + "]";
  }
}
