package dev.roundhouse.tensor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Backward over a graph built inside per-block arenas ({@link ArenaSegments}): the same node order
 * and arithmetic as the plain traversal, but
 * <ul>
 *   <li>backward temporaries and gradients go to one scratch arena ({@code <arena>/backward}),
 *       reset each time a block's arena closes, so backward holds at most one block's worth;</li>
 *   <li>block k's arena closes as soon as every node created in block k or later has run its
 *       backward (closes are LIFO, as the arenas nest); just before, every gradient still waiting
 *       for an earlier node that lives in the closing arena or in the scratch is copied into the
 *       arena of the node it belongs to (usually one residual-stream gradient per block).</li>
 * </ul>
 * The copies change no value, so results are bit-identical to the single step arena.
 */
final class SegmentedBackward {
  private SegmentedBackward() {}

  /** The id of arena {@code arenaId}'s backward scratch. */
  static String scratchId(String arenaId) {
    return arenaId + "/backward";
  }

  static void run(List<Tensor> order, Tensor root, INDArray seed) {
    Deque<ArenaSegments.Segment> open = ArenaSegments.open();
    ArenaSegments.Segment bottom = open.peekLast();
    MemoryWorkspace base = bottom.parent; // the arena the first segment opened in
    int depths = open.peek().depth + 1;
    // lastPos[d]: the order index (processed from high to low) after which no node of a segment
    // >= d is left, i.e. the smallest index of such a node; Integer.MAX_VALUE when there is none.
    int[] lastPos = new int[depths];
    java.util.Arrays.fill(lastPos, Integer.MAX_VALUE);
    for (int i = 0; i < order.size(); i++) {
      ArenaSegments.Segment s = order.get(i).segment;
      if (s != null && s.open && s.depth < depths && lastPos[s.depth] == Integer.MAX_VALUE) {
        lastPos[s.depth] = i;
      }
    }
    for (int d = depths - 2; d >= 0; d--) {
      lastPos[d] = Math.min(lastPos[d], lastPos[d + 1]);
    }
    String scratchId = scratchId(bottom.owner.id());
    MemoryWorkspace scratch = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepArena.CONFIG, scratchId);
    try {
      root.addGrad(seed);
      scratch = closeFinished(order, order.size(), lastPos, scratch, scratchId, base);
      for (int i = order.size() - 1; i >= 0; i--) {
        Autograd.step(order.get(i));
        scratch = closeFinished(order, i, lastPos, scratch, scratchId, base);
      }
      rescue(order, 0, null, scratch, base); // leaves' gradients outlive backward
    } finally {
      scratch.close();
      ArenaSegments.Segment inner = open.peek();
      Nd4j.getMemoryManager().setCurrentWorkspace(inner != null ? inner.workspace : base);
    }
  }

  /**
   * Closes every open segment whose nodes are all done once index {@code done} has run (nodes
   * {@code 0 .. done - 1} remain); returns the scratch arena, reset when anything closed.
   */
  private static MemoryWorkspace closeFinished(List<Tensor> order, int done, int[] lastPos, MemoryWorkspace scratch,
      String scratchId, MemoryWorkspace base) {
    Deque<ArenaSegments.Segment> open = ArenaSegments.open();
    boolean closed = false;
    while (!open.isEmpty() && open.peek().depth < lastPos.length && lastPos[open.peek().depth] >= done) {
      ArenaSegments.Segment s = open.peek();
      rescue(order, done, s.workspace, scratch, base);
      ArenaSegments.closeInnermost();
      closed = true;
    }
    if (!closed) {
      return scratch;
    }
    rescue(order, done, null, scratch, base);
    scratch.close();
    MemoryWorkspace next = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepArena.CONFIG, scratchId);
    Nd4j.getMemoryManager().setCurrentWorkspace(next);
    return next;
  }

  /**
   * Copies the gradients that must outlive {@code dying} (a closing segment, or null) and {@code
   * scratch}: those of nodes {@code 0 .. remaining - 1} (still to run) and of leaves (kept after
   * backward), into the arena of their node's segment, or {@code base} (the arena below every
   * segment) for nodes made outside the segments.
   */
  private static void rescue(List<Tensor> order, int remaining, MemoryWorkspace dying, MemoryWorkspace scratch,
      MemoryWorkspace base) {
    for (int i = 0; i < order.size(); i++) {
      Tensor t = order.get(i);
      INDArray g = t.grad;
      if (g == null || !g.isAttached() || (i >= remaining && !t.isLeaf())) {
        continue;
      }
      MemoryWorkspace home = g.data().getParentWorkspace();
      if (home != dying && home != scratch) {
        continue;
      }
      ArenaSegments.Segment s = t.segment;
      MemoryWorkspace target = !t.isLeaf() && s != null && s.open && s.workspace != dying ? s.workspace : base;
      t.grad = copyInto(g, target);
    }
  }

  private static INDArray copyInto(INDArray g, MemoryWorkspace target) {
    if (target == null) {
      return StepArena.outside(g::dup);
    }
    try (MemoryWorkspace borrowed = target.notifyScopeBorrowed()) {
      return g.dup();
    }
  }
}
