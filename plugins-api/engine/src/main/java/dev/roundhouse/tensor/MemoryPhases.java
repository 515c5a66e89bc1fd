package dev.roundhouse.tensor;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Phase marks of a training step for memory measurement ({@code roundhouse bench memory}): the
 * trainer calls {@link #mark(String, Tensor)} at the end of forward and of backward; a listener,
 * when one is installed, reads the process memory there. Without a listener a mark is one
 * volatile read.
 *
 * <p>The listener runs on the thread that marks (a shard thread for data-parallel shards other
 * than 0); install it before training starts and remove it after.
 */
public final class MemoryPhases {
  /** Receives (phase, graph root or null) on the marking thread. */
  private static volatile BiConsumer<String, Tensor> listener;

  private MemoryPhases() {}

  /** Installs (or, with null, removes) the process-wide listener. */
  public static void listen(BiConsumer<String, Tensor> l) {
    listener = l;
  }

  /** Marks the end of {@code phase}; {@code root} is the graph still alive (the loss), or null. */
  public static void mark(String phase, Tensor root) {
    if (OpMemoryProfile.ENABLED && "forward".equals(phase)) {
      OpMemoryProfile.forwardDone();
    }
    BiConsumer<String, Tensor> l = listener;
    if (l != null) {
      l.accept(phase, root);
    }
  }

  /**
   * Bytes of the distinct arrays held by the graph below {@code root} (the outputs of every op
   * that requires grad): what the graph keeps for backward, not counting arrays an op's backward
   * captured besides its output (so a lower bound of the saved activations).
   */
  public static long graphBytes(Tensor root) {
    if (root == null || !root.requiresGrad()) {
      return 0;
    }
    Map<Object, Boolean> buffers = new IdentityHashMap<>();
    long bytes = 0;
    for (Tensor t : Autograd.topologicalOrder(root)) {
      if (t instanceof Parameter) {
        continue;
      }
      INDArray d = t.data();
      Object buffer = d.data().originalDataBuffer() != null ? d.data().originalDataBuffer() : d.data();
      if (buffers.put(buffer, Boolean.TRUE) == null) {
        bytes += d.data().length() * d.data().getElementSize();
      }
    }
    return bytes;
  }

  /** Reserved bytes (block sizes) of every ND4J workspace of the calling thread, by workspace id. */
  public static Map<String, long[]> workspaces() {
    Map<String, long[]> out = new java.util.TreeMap<>();
    for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
      out.put(ws.getId(), new long[] {ws.getCurrentSize(), ws.getMaxCycleAllocations(), ws.getThisCycleAllocations()});
    }
    return out;
  }
}
