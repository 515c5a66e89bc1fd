package dev.roundhouse.tensor;

import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scratch memory for the temporaries of one op: an ND4J workspace ({@value #ID}, one per thread)
 * opened inside the current arena around an op's internals and reset when the op returns, so the
 * arrays an op needs only while it runs (x^2 of a norm, the swapped copy of a rotary embedding, the
 * pulled rows of a scatter-add...) no longer live in the block's arena until that block's backward.
 * The op allocates what outlives it (its output, what its backward closure captures) in the arena
 * that was current before the scratch opened, through {@link #parent(Supplier)}:
 *
 * <pre>{@code
 * try (OpScratch s = OpScratch.open()) {
 *   INDArray sq = x.mul(x);                        // [R, d] temporary: scratch
 *   INDArray r = s.parent(() -> AxisSums.rows(sq)); // [R, 1] kept by backward: the block's arena
 * }
 * }</pre>
 *
 * <h2>Sizing</h2>
 * The scratch is an arena like the others ({@link StepArena#CONFIG}): it learns the largest op's
 * temporaries over its first {@value StepArena#LEARNING_CYCLES} uses and gets one block (plus
 * headroom) from {@link ArenaSizing} when the thread's outermost arena closes; from then on an op
 * allocates nothing natively. An op whose temporaries outgrow the block spills once and the block
 * grows when the scratch closes.
 *
 * <h2>Nesting and no-op cases</h2>
 * Outside every workspace (tests without an arena, gradient checks) and while this thread's
 * scratch is already open (an op called inside another op's scratch or inside its {@link
 * #parent(Supplier)}), {@link #open()} returns a scratch that changes nothing: arrays go wherever
 * they went before. Values never depend on where an array lives.
 *
 * <p>Not thread-safe: a scratch belongs to the thread that opened it; each thread has its own.
 * Never let an array made in the scratch outlive the {@code try} block (ND4J rejects ops on it).
 */
public final class OpScratch implements AutoCloseable {
  /** The workspace id of every thread's op scratch. */
  public static final String ID = "op-scratch";
  /** Switch for measurements: {@code -Droundhouse.opScratch=false} keeps every op's arrays in its arena. */
  static volatile boolean enabled = !"false".equals(System.getProperty("roundhouse.opScratch", "true"));

  private static final ThreadLocal<boolean[]> IN_USE = ThreadLocal.withInitial(() -> new boolean[1]);
  private static final OpScratch NONE = new OpScratch(null, null);

  private final MemoryWorkspace workspace; // null: no-op scratch
  private final MemoryWorkspace parent; // current before the scratch opened
  private boolean closed;

  private OpScratch(MemoryWorkspace workspace, MemoryWorkspace parent) {
    this.workspace = workspace;
    this.parent = parent;
  }

  /**
   * Opens this thread's op scratch inside the current arena and makes it the current allocation
   * scope; a no-op scratch outside every workspace or while the scratch is already open.
   */
  public static OpScratch open() {
    if (!enabled) {
      return NONE;
    }
    MemoryWorkspace parent = Nd4j.getMemoryManager().getCurrentWorkspace();
    boolean[] inUse = IN_USE.get();
    if (parent == null || inUse[0]) {
      return NONE;
    }
    inUse[0] = true;
    MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepArena.CONFIG, ID);
    return new OpScratch(ws, parent);
  }

  /** Turns the op scratch on (default) or off for ops started afterwards; returns the previous setting. */
  public static boolean enabled(boolean on) {
    boolean before = enabled;
    enabled = on;
    return before;
  }

  /** True when this scratch really is a separate workspace (false for the no-op scratch). */
  public boolean active() {
    return workspace != null;
  }

  /**
   * Runs {@code make} with the arena that was current before the scratch opened as the allocation
   * scope: what it allocates outlives the op (outputs, arrays backward reads). It may read arrays
   * of the scratch. The scratch is current again afterwards.
   */
  public <T> T parent(Supplier<T> make) {
    if (workspace == null) {
      return make.get();
    }
    try (MemoryWorkspace borrowed = parent.notifyScopeBorrowed()) {
      return make.get();
    }
  }

  /** Releases every array allocated in the scratch; the enclosing arena is current again. Idempotent. */
  @Override
  public void close() {
    if (workspace == null || closed) {
      return;
    }
    closed = true;
    workspace.close();
    Nd4j.getMemoryManager().setCurrentWorkspace(parent);
    IN_USE.get()[0] = false;
  }
}
