package dev.roundhouse.tensor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The memory scope of one training (or evaluation) step: every array an op creates while the
 * arena is open (outputs, intermediate gradients, temporaries) lives in one ND4J workspace and is
 * released all at once, deterministically, when the arena closes - not by the garbage collector.
 *
 * <pre>{@code
 * try (StepArena arena = StepArena.open("train")) {
 *   Tensor loss = model.forward(batch);
 *   loss.backward();
 *   optimizer.step();                       // p.data().subi(...) updates in place
 *   lastLoss = loss.item();                 // primitives escape freely
 *   lastLogits = StepArena.keep(logits.data()); // arrays escape only through keep()
 * }
 * }</pre>
 *
 * <h2>What may outlive the step</h2>
 * {@link Parameter} values and gradients are allocated outside every workspace and are updated in
 * place, so optimizer updates ({@code p.data().subi(...)}, {@code p.grad().muli(...)}) inside the
 * arena are safe. Any other array made inside the arena becomes invalid at {@link #close()}: the
 * next step reuses its memory. Pass it through {@link #keep(INDArray)} (a copy outside all
 * workspaces) before it leaves the step. Long-lived state created lazily during a step (optimizer
 * moments, router bias, metrics buffers) must be allocated with {@link #outside(Supplier)}. ND4J
 * rejects ops on an array from a closed arena cycle with an exception naming the workspace.
 *
 * <h2>Sizing policy ({@link #CONFIG})</h2>
 * MoE dispatch makes the bytes of a step data dependent (tokens per expert change every step), so
 * the arena learns its size instead of fixing it:
 * <ul>
 *   <li>Learning {@code OVER_TIME} over the first {@value #LEARNING_CYCLES} cycles: during them every
 *       allocation is a separate native block (spilled), freed when the cycle closes; then one block
 *       of the largest cycle seen plus {@link #OVERALLOCATION} headroom is allocated - not by ND4J
 *       inside the cycle's close but by {@link ArenaSizing} when the thread's outermost arena
 *       closes, after the learning steps' freed memory went back to the system.</li>
 *   <li>Spill {@code REALLOCATE}: a later step that needs more than the block spills its excess to
 *       separate native blocks (still freed at close) and, at close, the block is reallocated to the
 *       new maximum. Reallocations stop once the largest step shape has been seen.</li>
 *   <li>Reset {@code BLOCK_LEFT}: each open starts at offset 0 (the previous step's arrays are gone).</li>
 * </ul>
 *
 * <h2>Reuse and nesting</h2>
 * Opening the same id again on the same thread reuses its block (one workspace per id and thread).
 * Arenas with different ids nest: arrays made in the inner one die with it. Opening an id that is
 * already the innermost open arena joins it (the inner close does nothing); opening an id that is
 * open further out, or closing an arena that is not the innermost, throws, since ND4J would reset
 * memory still in use.
 *
 * <p>Not thread-safe: an arena belongs to the thread that opened it; each thread has its own.
 */
public final class StepArena implements AutoCloseable {
  /** Cycles observed before the arena allocates its block. */
  public static final int LEARNING_CYCLES = 3;
  /**
   * Headroom over the largest learned cycle, as a fraction: 0.1 unless the system property
   * {@code roundhouse.arena.headroom} says otherwise (for measurements). The block is zeroed when
   * allocated, so all of it is resident; a step that needs more spills once and the block grows
   * ({@code SpillPolicy.REALLOCATE}). MoE dispatch moves tokens between experts but not their total,
   * so a step's bytes vary little once learned (0.3 cost 0.11 GB more at tiny-moe 8 x 256).
   */
  public static final double OVERALLOCATION = Double.parseDouble(System.getProperty("roundhouse.arena.headroom", "0.1"));

  /** The workspace configuration every arena uses; see the class comment for the reasoning. */
  public static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyLearning(LearningPolicy.OVER_TIME)
      .cyclesBeforeInitialization(Integer.MAX_VALUE) // blocks come from ArenaSizing, not inside a close
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(OVERALLOCATION)
      .policySpill(SpillPolicy.REALLOCATE)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .build();

  private static final ThreadLocal<Deque<StepArena>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

  private final String id;
  private final MemoryWorkspace workspace; // null when this arena joined an enclosing one
  private final Thread owner;
  private boolean closed;
  int blocksBegunWithoutGraph; // beginSegment() calls under NoGrad in this arena (ArenaSegments.noGradScratch)

  private StepArena(String id, MemoryWorkspace workspace) {
    this.id = id;
    this.workspace = workspace;
    this.owner = Thread.currentThread();
  }

  /**
   * Opens (or re-enters, for a new step) the arena {@code id} on this thread and makes it the
   * current allocation scope for ND4J.
   */
  public static StepArena open(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("StepArena id must be non-blank");
    }
    Deque<StepArena> open = OPEN.get();
    StepArena innermost = open.peek();
    if (innermost != null && innermost.id.equals(id)) {
      StepArena joined = new StepArena(id, null);
      open.push(joined);
      return joined;
    }
    for (StepArena a : open) {
      if (a.id.equals(id)) {
        throw new IllegalStateException("StepArena '" + id + "' is already open further out on this"
            + " thread (inside it: '" + innermost.id + "'); reopening it would reset live arrays");
      }
    }
    MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, id);
    StepArena arena = new StepArena(id, ws);
    open.push(arena);
    return arena;
  }

  /**
   * Starts the next per-block arena of a forward pass (the model calls it before each block and
   * before the head): everything made until the next call lives in it, and backward closes it as
   * soon as the block's backward has run, in reverse block order, instead of when the step ends.
   * No-op outside an arena, in a {@link NoGrad} scope, or with {@code -Droundhouse.arena=step}.
   * Segments still open when the arena closes (no backward ran) are closed with it.
   */
  public static void beginSegment() {
    ArenaSegments.begin();
  }

  /**
   * Turns per-block arenas on (the default) or off (one arena for the whole step, as with
   * {@code -Droundhouse.arena=step}) for steps started afterwards, process-wide; returns the
   * previous setting. For measurements and equality tests; call it between steps only.
   */
  public static boolean perBlockArenas(boolean on) {
    boolean before = ArenaSegments.enabled;
    ArenaSegments.enabled = on;
    return before;
  }

  /** The innermost open arena on this thread, or null. */
  public static StepArena current() {
    return OPEN.get().peek();
  }

  /**
   * {@code x} as an array that outlives every open arena: a copy outside all workspaces when
   * {@code x} lives in one, else {@code x} itself. Null stays null.
   */
  public static INDArray keep(INDArray x) {
    return x == null || !x.isAttached() ? x : x.detach();
  }

  /**
   * Runs {@code make} with every workspace suspended, so what it allocates is long-lived (optimizer
   * state, buffers kept across steps). The enclosing arena, if any, is current again afterwards.
   */
  public static <T> T outside(Supplier<T> make) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return make.get();
    }
  }

  public String id() {
    return id;
  }

  /**
   * Frees the native blocks of every arena this thread has used (they are otherwise kept for the
   * thread's next step, as large as its largest step). Call it when a long-lived thread finishes a
   * run. Does nothing and returns false while an arena is open on this thread.
   *
   * <p>Reuse threads for runs rather than starting one per run: glibc keeps the memory a finished
   * thread freed in that thread's malloc arena, which a new thread may not reuse, so a thread per
   * run grows the process by about one step's memory per run even after this call.
   */
  public static boolean releaseThreadArenas() {
    if (!OPEN.get().isEmpty()) {
      return false;
    }
    for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
      ws.destroyWorkspace(true);
    }
    Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
    NativeTrim.forgetThread(); // the next run's arenas learn again: trim after its learning steps too
    return true;
  }

  /** Bytes allocated in this arena so far in the current step (including spilled bytes). */
  public long bytesThisStep() {
    return ws().getThisCycleAllocations();
  }

  /** Bytes the previous closed step allocated. */
  public long bytesLastStep() {
    return ws().getLastCycleAllocations();
  }

  /** The largest step seen, in bytes. */
  public long bytesMaxStep() {
    return ws().getMaxCycleAllocations();
  }

  /** Size of the arena's reusable block in bytes (0 while still learning). */
  public long blockBytes() {
    return ws().getCurrentSize();
  }

  private MemoryWorkspace ws() {
    if (workspace != null) {
      return workspace;
    }
    for (StepArena a : OPEN.get()) {
      if (a.workspace != null && a.id.equals(id)) {
        return a.workspace;
      }
    }
    return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(CONFIG, id);
  }

  /**
   * Ends the step: every array allocated in this arena since {@link #open} is released and the
   * enclosing scope (outer arena or none) becomes current. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("StepArena '" + id + "' opened on thread " + owner.getName()
          + " closed on " + Thread.currentThread().getName());
    }
    Deque<StepArena> open = OPEN.get();
    if (open.peek() != this) {
      throw new IllegalStateException("StepArena '" + id + "' closed while inner arena '"
          + (open.peek() == null ? "?" : open.peek().id) + "' is still open");
    }
    ArenaSegments.closeOwnedBy(this);
    open.pop();
    closed = true;
    if (workspace != null) {
      workspace.close();
      if (open.isEmpty()) {
        ArenaSizing.afterOutermostClose(id);
      }
    }
  }
}
