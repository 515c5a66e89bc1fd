package dev.roundhouse.plugins.routers;

import dev.roundhouse.tensor.Broadcast;
import dev.roundhouse.tensor.Indexing;
import dev.roundhouse.tensor.Select;
import dev.roundhouse.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Group-limited routing (DeepSeek's device/node-limited routing): the E experts are split into G
 * contiguous groups of E / G; for each token only the {@code topGroups} groups with the highest
 * best (max) selection score stay eligible, and top-k is taken inside them. Legend: N tokens, E
 * experts, G groups, P = E / G experts per group. Ties at the group threshold keep every tied group.
 */
final class GroupLimit {
  private final int numExperts;
  private final int groups;
  private final int topGroups;

  GroupLimit(String router, int numExperts, int topK, int groups, Integer topGroups) {
    this.numExperts = numExperts;
    this.groups = groups;
    this.topGroups = topGroups == null ? groups : topGroups;
    if (numExperts % groups != 0) {
      throw new IllegalArgumentException("groups: must divide the number of experts " + numExperts + ", got "
          + groups + " (" + router + ")");
    }
    if (this.topGroups < 1 || this.topGroups > groups) {
      throw new IllegalArgumentException("topGroups: must be in [1, groups=" + groups + "], got " + this.topGroups
          + " (" + router + ")");
    }
    if (topK > this.topGroups * (numExperts / groups)) {
      throw new IllegalArgumentException("topGroups: " + this.topGroups + " groups of " + numExperts / groups
          + " experts hold fewer than topK=" + topK + " experts (" + router + ")");
    }
  }

  /** True when some groups are excluded per token. */
  boolean active() {
    return topGroups < groups;
  }

  /** selection: [N, E] -> a fresh copy with every expert outside the token's kept groups at -inf. */
  INDArray apply(INDArray selection) {
    if (!active()) {
      return selection;
    }
    long n = selection.size(0);
    int per = numExperts / groups;
    INDArray best = selection.dup('c').reshape('c', n, groups, per).max(2); // [N, G]
    INDArray top = Select.topK(Tensor.constant(best), topGroups).values().data(); // [N, M] descending
    INDArray threshold = top.getColumn(topGroups - 1).dup().reshape(n, 1); // [N, 1]
    INDArray keep = best.subColumnVector(threshold).gte(0.0).castTo(best.dataType()); // [N, G] 1 = kept
    INDArray keepExperts = Broadcast.expand(keep.reshape(n, groups, 1), new long[] {n, groups, per})
        .dup('c').reshape(n, numExperts); // [N, E]
    INDArray excluded = Nd4j.valueArrayOf(selection.shape(), Double.NEGATIVE_INFINITY, selection.dataType());
    return Indexing.select(keepExperts, selection.dup('c'), excluded);
  }
}
