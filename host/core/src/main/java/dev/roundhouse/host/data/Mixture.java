package dev.roundhouse.host.data;

import java.util.List;

/**
 * The sources of a prepared dataset as laid out in its train stream: source {@code i} holds tokens
 * {@code [offsets[i], offsets[i] + lengths[i])} and is drawn with probability {@code weights[i]}
 * (renormalised over the sources that have not used up their {@code epochs}). Immutable.
 *
 * @param names source names, in manifest order (also the stream's domain names)
 * @param offsets first train token of each source
 * @param lengths train tokens of each source
 * @param weights sampling weights, summing to 1
 * @param epochs passes over each source allowed
 * @param valBytes UTF-8 bytes of each source's validation documents
 */
public record Mixture(List<String> names, int[] offsets, int[] lengths, double[] weights, double[] epochs,
    long[] valBytes) {

  public Mixture {
    names = List.copyOf(names);
  }

  public int size() {
    return names.size();
  }
}
