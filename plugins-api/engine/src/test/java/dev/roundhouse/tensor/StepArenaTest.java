package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.exception.ND4JIllegalStateException;
import org.nd4j.linalg.factory.Nd4j;

/** Scope, reuse, nesting and escape rules of {@link StepArena}. */
@ExtendWith(DoublePrecision.class)
class StepArenaTest {

  @AfterEach
  void noArenaLeftOpen() {
    assertNull(StepArena.current(), "an arena was left open");
    assertNull(Nd4j.getMemoryManager().getCurrentWorkspace(), "a workspace was left current");
  }

  @Test
  void opOutputsLiveInTheArenaAndKeepCopiesThemOut() {
    INDArray kept;
    INDArray inside;
    try (StepArena arena = StepArena.open("t-keep")) {
      assertSame(arena, StepArena.current());
      Tensor a = Tensor.constant(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}}));
      inside = MatOps.linearT(a, a).data(); // [2, 2]: a @ a^T
      assertTrue(inside.isAttached(), "op output should be arena memory");
      kept = StepArena.keep(inside);
      assertFalse(kept.isAttached());
      assertTrue(arena.bytesThisStep() > 0);
    }
    assertEquals(14.0, kept.getDouble(0, 0), 0.0);
    assertEquals(32.0, kept.getDouble(0, 1), 0.0);
    assertEquals(77.0, kept.getDouble(1, 1), 0.0);
    INDArray outside = Nd4j.ones(2);
    assertSame(outside, StepArena.keep(outside), "keep() must not copy a detached array");
    assertNull(StepArena.keep(null));
  }

  @Test
  void sgdUpdateInsideTheArenaPersists() {
    // loss = sum(w * w) -> grad 2w; one SGD step with lr 0.25 halves w.
    Parameter w = new Parameter("w", ParamRole.OTHER, Nd4j.createFromArray(1.0, -2.0, 4.0));
    for (int step = 0; step < 3; step++) {
      try (StepArena arena = StepArena.open("t-sgd")) {
        Reductions.sumAll(w.mul(w)).backward();
        w.data().subi(w.grad().mul(0.25));
        w.zeroGrad();
      }
    }
    assertFalse(w.data().isAttached());
    assertFalse(w.grad().isAttached());
    assertEquals(0.125, w.data().getDouble(0), 1e-15);
    assertEquals(-0.25, w.data().getDouble(1), 1e-15);
    assertEquals(0.5, w.data().getDouble(2), 1e-15);
  }

  @Test
  void outsideAllocatesLongLivedStateDuringAStep() {
    INDArray state;
    try (StepArena arena = StepArena.open("t-outside")) {
      state = StepArena.outside(() -> Nd4j.zeros(4));
      assertFalse(state.isAttached());
      assertTrue(Nd4j.ones(1).isAttached(), "the arena must be current again after outside()");
    }
    state.addi(1); // still valid after the step
    assertEquals(4.0, state.sumNumber().doubleValue(), 0.0);
  }

  @Test
  void blockIsLearnedThenReusedAndGrowsForLargerSteps() {
    long[] rows = {8, 16, 12, 16, 16, 16, 64, 16, 16};
    long blockAfterLearning = -1;
    StepArena last = null;
    for (int i = 0; i < rows.length; i++) {
      try (StepArena arena = StepArena.open("t-grow")) {
        MatOps.gemm(Nd4j.rand(new long[] {rows[i], 32}), Nd4j.rand(new long[] {32, 32}), false, false);
        last = arena;
      }
      if (i == StepArena.LEARNING_CYCLES) {
        blockAfterLearning = last.blockBytes();
      }
    }
    assertTrue(blockAfterLearning > 0, "block not allocated after learning");
    assertTrue(last.blockBytes() >= last.bytesMaxStep(), "block smaller than the largest step");
    assertTrue(last.blockBytes() > blockAfterLearning, "block did not grow for the larger step");
  }

  @Test
  void nestedArenasGetTheirBlocksOnlyWhenTheOutermostArenaCloses() {
    String inner = "t-outer/block0"; // the id ArenaSegments gives the first block of arena t-outer
    boolean before = StepArena.perBlockArenas(true);
    try {
      for (int i = 0; i < StepArena.LEARNING_CYCLES; i++) {
        try (StepArena arena = StepArena.open("t-outer")) {
          Nd4j.rand(new long[] {4, 32}); // in the outer arena
          StepArena.beginSegment();
          MatOps.gemm(Nd4j.rand(new long[] {16, 32}), Nd4j.rand(new long[] {32, 32}), false, false);
          ArenaSegments.closeInnermost(); // as backward does, before the outer arena closes
          if (i == StepArena.LEARNING_CYCLES - 1) {
            // the segment has closed its last learning cycle: ND4J would have allocated its block here
            assertEquals(0, MemoryPhases.workspaces().get(inner)[0], "block allocated inside the segment's close");
          }
        }
      }
      long[] sized = MemoryPhases.workspaces().get(inner);
      assertTrue(sized[0] >= sized[1] && sized[1] > 0, "segment block " + sized[0] + " for a largest cycle of " + sized[1]);
      assertTrue(MemoryPhases.workspaces().get("t-outer")[0] > 0, "outer arena has no block after learning");
    } finally {
      StepArena.perBlockArenas(before);
    }
  }

  @Test
  void sameIdNestedJoinsAndDifferentIdsNest() {
    try (StepArena outer = StepArena.open("t-nest")) {
      INDArray a = Nd4j.ones(3);
      try (StepArena joined = StepArena.open("t-nest")) {
        INDArray b = Nd4j.ones(3).muli(2);
        assertEquals(6.0, b.sumNumber().doubleValue(), 0.0);
      }
      try (StepArena inner = StepArena.open("t-nest-inner")) {
        INDArray c = a.add(1); // lives in the inner arena
        assertEquals(6.0, c.sumNumber().doubleValue(), 0.0);
        assertThrows(IllegalStateException.class, () -> StepArena.open("t-nest"));
      }
      // a survived both inner closes: the join did not reset the outer arena.
      assertEquals(3.0, a.sumNumber().doubleValue(), 0.0);
      assertSame(outer, StepArena.current());
    }
  }

  @Test
  void closingOutOfOrderIsRejected() {
    StepArena outer = StepArena.open("t-order");
    StepArena inner = StepArena.open("t-order-inner");
    IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
    assertTrue(e.getMessage().contains("t-order-inner"), e.getMessage());
    inner.close();
    outer.close();
    outer.close(); // idempotent
  }

  @Test
  void arrayEscapingWithoutKeepIsRejectedByNd4j() {
    INDArray leaked;
    try (StepArena arena = StepArena.open("t-leak")) {
      leaked = Nd4j.ones(3).muli(5);
    }
    try (StepArena arena = StepArena.open("t-leak")) {
      Exception e = assertThrows(ND4JIllegalStateException.class, () -> leaked.add(1));
      assertTrue(e.getMessage().contains("t-leak"), e.getMessage());
    }
    assertThrows(ND4JIllegalStateException.class, () -> leaked.add(1));
  }

  @Test
  void blankIdIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> StepArena.open(" "));
  }
}
