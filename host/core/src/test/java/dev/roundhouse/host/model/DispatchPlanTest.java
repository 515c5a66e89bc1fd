package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.roundhouse.host.model.DispatchPlan.DropPolicy;
import org.junit.jupiter.api.Test;

class DispatchPlanTest {
  // 6 tokens, top-1, 3 experts; skewed: expert 0 gets tokens 0..3, expert 1 tokens 4 and 5, expert 2 none
  static final int[] TOKENS = {0, 1, 2, 3, 4, 5};
  static final int[] EXPERTS = {0, 0, 0, 0, 1, 1};
  static final double[] GATES = {0.3, 0.9, 0.2, 0.8, 0.5, 0.6};

  @Test
  void droplessKeepsEverythingGroupedByExpert() {
    DispatchPlan p = DispatchPlan.build(TOKENS, EXPERTS, 3, -1);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, p.order());
    assertArrayEquals(new long[] {4, 2, 0}, p.tokensPerExpert());
    assertEquals(0, p.dropped());
  }

  @Test
  void capacityFactorOneDropsTheLatestTokensByPosition() {
    int capacity = DispatchPlan.capacity(1.0, 6, 3); // ceil(6 / 3) = 2
    assertEquals(2, capacity);
    DispatchPlan p = DispatchPlan.build(TOKENS, EXPERTS, 3, capacity, DropPolicy.POSITION, null);
    assertArrayEquals(new int[] {0, 1, 4, 5}, p.tokens());
    assertArrayEquals(new int[] {0, 2, 4, 4}, p.offsets());
    assertEquals(2, p.dropped());
  }

  @Test
  void capacityFactorOneDropsTheLowestGatesByGate() {
    DispatchPlan p = DispatchPlan.build(TOKENS, EXPERTS, 3, 2, DropPolicy.GATE, GATES);
    assertArrayEquals(new int[] {1, 3, 4, 5}, p.tokens()); // expert 0 keeps gates 0.9 and 0.8, in token order
    assertArrayEquals(new int[] {1, 3, 4, 5}, p.order());
    assertArrayEquals(new long[] {2, 2, 0}, p.tokensPerExpert());
    assertEquals(2, p.dropped());
  }

  @Test
  void gateTiesKeepTheEarlierAssignmentAndTopKCopiesCount() {
    // top-2: token t's assignments are 2t, 2t+1; expert 0 gets 3 copies with equal gates, capacity 1
    int[] tokens = {0, 0, 1, 1, 2, 2};
    int[] experts = {0, 1, 0, 2, 0, 1};
    double[] gates = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    DispatchPlan p = DispatchPlan.build(tokens, experts, 3, 1, DropPolicy.GATE, gates);
    assertArrayEquals(new int[] {0, 1, 3}, p.order());
    assertEquals(3, p.dropped());
  }

  @Test
  void gatePolicyNeedsGates() {
    assertThrows(IllegalArgumentException.class, () -> DispatchPlan.build(TOKENS, EXPERTS, 3, 2, DropPolicy.GATE, null));
    assertEquals(DropPolicy.GATE, DropPolicy.of("gate"));
    assertThrows(IllegalArgumentException.class, () -> DropPolicy.of("random"));
  }
}
