package dev.roundhouse.tensor;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gives each arena its block once it has learned its size, at a moment when nothing of the
 * learning steps is still held. ND4J would allocate a workspace's block inside the close of its
 * {@value StepArena#LEARNING_CYCLES}th cycle ({@code cyclesBeforeInitialization}); for the
 * per-block arenas that is in the middle of backward, where the native memory the earlier
 * arenas' learning steps freed is still in glibc's heap (freed, not returned), so every block came
 * on top of it and the process peaked at both (issue 22: 1.5 GB against 1.15 GB resident at
 * tiny-moe 8 x 256). {@link StepArena#CONFIG} therefore never initializes by itself; instead, when a
 * thread's outermost arena closes, every closed workspace of the thread that has seen at least
 * {@code LEARNING_CYCLES} cycles and has no block yet gets one: first glibc returns the freed
 * learning memory ({@code malloc_trim}), then the blocks are allocated (largest cycle plus
 * {@link StepArena#OVERALLOCATION}, as ND4J sizes them).
 *
 * <p>Later steps allocate nothing natively; a step that outgrows its block spills and ND4J
 * reallocates the block at that arena's close ({@code SpillPolicy.REALLOCATE}). Not thread-safe by
 * design: it touches only the calling thread's workspaces.
 */
final class ArenaSizing {
  private ArenaSizing() {}

  /** Called when the outermost arena {@code id} of this thread has closed. */
  static void afterOutermostClose(String id) {
    List<MemoryWorkspace> due = null;
    for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
      if (learned(ws)) {
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(ws);
      }
    }
    NativeTrim.afterLearningStep(id);
    if (due == null) {
      return;
    }
    NativeTrim.trim(); // the learning steps' freed memory goes back first; the blocks come after
    for (MemoryWorkspace ws : due) {
      ws.initializeWorkspace();
    }
  }

  /** True for a closed workspace that has learned (enough cycles, some bytes) and has no block yet. */
  private static boolean learned(MemoryWorkspace ws) {
    return ws instanceof Nd4jWorkspace w && !w.isScopeActive() && w.getCurrentSize() == 0
        && w.getCyclesCount() >= StepArena.LEARNING_CYCLES && w.getMaxCycleAllocations() > 0;
  }
}
