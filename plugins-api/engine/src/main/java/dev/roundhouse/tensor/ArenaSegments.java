package dev.roundhouse.tensor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The per-block arenas of one forward pass ({@link StepArena#beginSegment()}): a stack of nested
 * ND4J workspaces per thread, opened in forward (block 1 .. L, then the head) and closed in
 * backward in the reverse order, each as soon as every graph node created in it has run its
 * backward ({@link Autograd}). Whatever a segment's arrays are, they die with it; gradients still
 * waiting for an earlier block are copied into that block's segment first.
 *
 * <p>Layout switch: system property {@code roundhouse.arena} = {@code blocks} (default) or
 * {@code step} (one arena for the whole step, the layout before per-block arenas; segments are
 * then never opened). Not thread-safe: the stack is per thread, like the arenas.
 */
final class ArenaSegments {
  /** True unless {@code -Droundhouse.arena=step}; see {@link StepArena#perBlockArenas(boolean)}. */
  static volatile boolean enabled = !"step".equals(System.getProperty("roundhouse.arena", "blocks"));

  /** One open segment: its workspace, the workspace current before it, the arena that owns it. */
  static final class Segment {
    final int depth;
    final MemoryWorkspace workspace;
    final MemoryWorkspace parent; // current before this segment opened (outer segment or arena)
    final StepArena owner;
    boolean open = true;

    Segment(int depth, MemoryWorkspace workspace, MemoryWorkspace parent, StepArena owner) {
      this.depth = depth;
      this.workspace = workspace;
      this.parent = parent;
      this.owner = owner;
    }
  }

  private static final ThreadLocal<Deque<Segment>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

  private ArenaSegments() {}

  /** The innermost open segment of this thread, or null. */
  static Segment current() {
    return enabled ? OPEN.get().peek() : null;
  }

  /** Open segments, innermost first. */
  static Deque<Segment> open() {
    return OPEN.get();
  }

  /** Opens the next segment inside the current arena (no-op without one, in no-grad or step layout). */
  static void begin() {
    StepArena arena = StepArena.current();
    if (!enabled || arena == null) {
      return;
    }
    if (NoGrad.active()) {
      arena.blocksBegunWithoutGraph++; // see noGradScratch
      return;
    }
    Deque<Segment> open = OPEN.get();
    int depth = open.size();
    MemoryWorkspace parent = Nd4j.getMemoryManager().getCurrentWorkspace();
    MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepArena.CONFIG,
        arena.id() + "/block" + depth);
    open.push(new Segment(depth, ws, parent, arena));
  }

  /**
   * Without a graph: the arena to run the block begun last in {@code arena} in, so that only its
   * output outlives it ({@link Recompute#withoutTemporaries}): that block's own per-block arena of
   * the training step ({@code <arena>/block<k>}), idle between steps and already as large as the
   * block's forward, so evaluation between training steps needs no arena blocks of its own; the
   * re-run arena of activation checkpointing instead when it is idle and larger (with recompute a
   * block's own arena keeps only the block's inputs). The arena's backward scratch when no block was
   * begun, per-block arenas are off, or the block's arena is in use.
   */
  static String noGradScratch(StepArena arena) {
    int k = arena.blocksBegunWithoutGraph - 1;
    if (enabled && k >= 0) {
      String id = arena.id() + "/block" + k;
      if (!Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(id)) {
        // with recompute the re-run's arena is as large as a block's forward and the block's own arena
        // small (it keeps only the block's inputs): take the larger, so evaluation grows neither
        return idleAndLarger(Recompute.ARENA_ID, id) ? Recompute.ARENA_ID : id;
      }
    }
    String scratch = SegmentedBackward.scratchId(arena.id());
    return Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(scratch) ? Recompute.ARENA_ID : scratch;
  }

  /** True when this thread's arena {@code a} exists, is idle and has a larger block than {@code b}. */
  private static boolean idleAndLarger(String a, String b) {
    var m = Nd4j.getWorkspaceManager();
    if (!m.checkIfWorkspaceExists(a) || m.checkIfWorkspaceExistsAndActive(a)) {
      return false;
    }
    long sizeB = m.checkIfWorkspaceExists(b) ? m.getWorkspaceForCurrentThread(b).getCurrentSize() : 0;
    return m.getWorkspaceForCurrentThread(a).getCurrentSize() > sizeB;
  }

  /** Closes the innermost segment; the workspace current before it opened is current again. */
  static void closeInnermost() {
    Segment s = OPEN.get().pop();
    s.open = false;
    s.workspace.close();
    Nd4j.getMemoryManager().setCurrentWorkspace(s.parent);
  }

  /** Closes every segment {@code arena} owns (they are the innermost ones), innermost first. */
  static void closeOwnedBy(StepArena arena) {
    Deque<Segment> open = OPEN.get();
    while (!open.isEmpty() && open.peek().owner == arena) {
      closeInnermost();
    }
  }

  /** True when some segment owned by an arena other than the innermost ones is open (diagnostics). */
  static boolean anyOpen() {
    return !OPEN.get().isEmpty();
  }

  static Iterator<Segment> innermostFirst() {
    return OPEN.get().iterator();
  }
}
