package dev.roundhouse.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation checkpointing: {@link #checkpoint} runs a segment of the forward pass, keeps only its
 * inputs and outputs, and re-runs the segment in backward (with the same random draws) to backprop
 * through it. The gradients are the ones the segment would have given without checkpointing: the
 * recomputed graph is the same ops on the same values, walked in the same order.
 *
 * <h2>Memory</h2>
 * The first forward runs in a scratch arena of its own ({@code recompute}, one per thread, reset at
 * every use); only the outputs are copied into the arena that was current (the block's arena). In
 * backward, the segment's forward and backward run in the same scratch arena; the input gradients
 * are copied out and everything else dies when the segment's backward ends. So a checkpointed
 * segment holds its inputs and outputs between forward and backward, and one segment's activations
 * exist at a time during backward.
 *
 * <h2>Randomness and component state (contract for components)</h2>
 * A segment's function must compute the same values when it is re-run. Draws whose seed goes
 * through {@link #seed(long)} are replayed: the first pass records each seed, the re-run gets the
 * recorded seeds in the same order. While a segment is re-run, {@link #active()} is true, and a
 * component must not advance state its forward normally advances (a micro-batch counter, say), so
 * the next forward sees the same state as without checkpointing. Optimizer-step state (expert
 * bias) changes only between steps, so it is the same in both passes.
 *
 * <p>Not thread-safe: a checkpointed graph belongs to the thread that built it (each data-parallel
 * shard thread has its own recording and scratch arena).
 */
public final class Recompute {
  /** Id of the per-thread scratch arena the first pass and the re-run use. */
  static final String ARENA_ID = "recompute";

  private static final ThreadLocal<Tape> TAPE = new ThreadLocal<>();
  private static volatile INDArray marker;

  /** The seeds drawn in one segment's first pass, replayed in the re-run. */
  private static final class Tape {
    final boolean replay;
    long[] seeds;
    int size;
    int pos;

    Tape(boolean replay, long[] seeds, int size) {
      this.replay = replay;
      this.seeds = seeds;
      this.size = size;
    }
  }

  private Recompute() {}

  /** True while a checkpointed segment's forward is being re-run in backward on this thread. */
  public static boolean active() {
    Tape t = TAPE.get();
    return t != null && t.replay;
  }

  /**
   * The seed to draw with: {@code fresh} in a normal forward (recorded inside a checkpointed
   * segment), the seed the first pass recorded at the same position while the segment is re-run.
   *
   * @throws IllegalStateException when the re-run draws more often than the first pass
   */
  public static long seed(long fresh) {
    Tape t = TAPE.get();
    if (t == null) {
      return fresh;
    }
    if (!t.replay) {
      if (t.size == t.seeds.length) {
        t.seeds = Arrays.copyOf(t.seeds, Math.max(4, t.size * 2));
      }
      t.seeds[t.size++] = fresh;
      return fresh;
    }
    if (t.pos >= t.size) {
      throw new IllegalStateException("a checkpointed segment drew " + (t.pos + 1) + " random numbers when re-run, "
          + t.size + " in its first pass: its forward is not repeatable");
    }
    return t.seeds[t.pos++];
  }

  /**
   * Runs {@code fn} on {@code inputs} as a checkpointed segment and returns its outputs, which
   * carry gradients to the inputs and to every parameter {@code fn} used. Outputs that receive no
   * gradient are fine (they are not backpropagated). In a {@link NoGrad} scope, or inside another
   * checkpointed segment, {@code fn} simply runs.
   *
   * @param inputs the segment's inputs (kept alive until its backward)
   * @param fn the segment: the same function of the same inputs in both passes; it must not return
   *     its inputs themselves
   */
  public static List<Tensor> checkpoint(List<Tensor> inputs, Function<List<Tensor>, List<Tensor>> fn) {
    if (NoGrad.active() || TAPE.get() != null) {
      return fn.apply(inputs);
    }
    MemoryWorkspace home = Nd4j.getMemoryManager().getCurrentWorkspace();
    Tape tape = new Tape(false, new long[4], 0);
    INDArray[] kept;
    TAPE.set(tape);
    MemoryWorkspace ws = home == null ? null : Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepArena.CONFIG, ARENA_ID);
    try {
      List<Tensor> outs = fn.apply(leaves(inputs));
      kept = new INDArray[outs.size()];
      for (int i = 0; i < kept.length; i++) {
        kept[i] = ws == null ? outs.get(i).data() : copyInto(outs.get(i).data(), home);
      }
    } finally {
      TAPE.set(null);
      close(ws, home);
    }
    if (kept.length == 0) {
      throw new IllegalArgumentException("a checkpointed segment must return at least one output");
    }
    Segment seg = new Segment(inputs, fn, tape, kept.length, home);
    Tensor joint = new Tensor(kept[0], true, inputs.toArray(new Tensor[0]), seg::backward);
    List<Tensor> outs = new ArrayList<>(kept.length);
    for (int i = 0; i < kept.length; i++) {
      int slot = i;
      outs.add(new Tensor(kept[i], true, new Tensor[] {joint}, g -> seg.arrived(slot, g, joint)));
    }
    return outs;
  }

  /**
   * Without a graph ({@link NoGrad}) inside an arena: runs {@code fn} in a scratch arena reset at
   * every use (the per-block arena of the block begun last, {@link ArenaSegments#noGradScratch})
   * and keeps only its output, copied into the arena current before, so the part's
   * temporaries are freed as soon as it returns (evaluation runs block after block this way).
   * Arrays a component kept from {@code fn} (a layer's last routing) are invalid afterwards.
   * Otherwise (a graph is being built, no arena, or inside a checkpointed segment) just {@code fn(x)}.
   */
  public static Tensor withoutTemporaries(Tensor x, java.util.function.UnaryOperator<Tensor> fn) {
    MemoryWorkspace home = Nd4j.getMemoryManager().getCurrentWorkspace();
    if (!NoGrad.active() || home == null || TAPE.get() != null) {
      return fn.apply(x);
    }
    StepArena arena = StepArena.current();
    // the block's own training arena: idle without a graph and already sized by training when this
    // is an evaluation between training steps, so evaluation adds no arena of its own
    String scratch = arena == null ? ARENA_ID : ArenaSegments.noGradScratch(arena);
    MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepArena.CONFIG, scratch);
    try {
      return Tensor.constant(copyInto(fn.apply(x).data(), home));
    } finally {
      close(ws, home);
    }
  }

  /** One checkpointed segment: what its backward needs. */
  private static final class Segment {
    final List<Tensor> inputs;
    final Function<List<Tensor>, List<Tensor>> fn;
    final Tape tape;
    final INDArray[] gradOut; // [output] gradient that arrived, or null
    final MemoryWorkspace home; // the arena current in forward: alive until this segment's backward

    Segment(List<Tensor> inputs, Function<List<Tensor>, List<Tensor>> fn, Tape tape, int outputs,
        MemoryWorkspace home) {
      this.inputs = inputs;
      this.fn = fn;
      this.tape = tape;
      this.gradOut = new INDArray[outputs];
      this.home = home;
    }

    /**
     * An output's gradient is complete: keep it (in the segment's own arena, since backward's
     * scratch may be reset before the re-run) and mark the joint node so its backward runs.
     */
    void arrived(int slot, INDArray g, Tensor joint) {
      boolean safe = home == null || !g.isAttached() || g.data().getParentWorkspace() == home;
      gradOut[slot] = safe ? g : copyInto(g, home);
      joint.grad = marker();
    }

    /** Re-runs the segment in the scratch arena and backprops the kept output gradients through it. */
    void backward(INDArray ignored) {
      MemoryWorkspace here = Nd4j.getMemoryManager().getCurrentWorkspace();
      tape.pos = 0;
      Tape replay = new Tape(true, tape.seeds, tape.size);
      TAPE.set(replay);
      MemoryWorkspace ws = here == null ? null : Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepArena.CONFIG, ARENA_ID);
      try {
        List<Tensor> leaves = leaves(inputs);
        List<Tensor> outs = fn.apply(leaves);
        if (outs.size() != gradOut.length) {
          throw new IllegalStateException("a checkpointed segment returned " + outs.size() + " outputs when re-run, "
              + gradOut.length + " in its first pass");
        }
        TAPE.set(null); // the re-run's forward is over; its backward draws nothing
        if (replay.pos != replay.size) {
          throw new IllegalStateException("a checkpointed segment drew " + replay.pos + " random numbers when re-run, "
              + replay.size + " in its first pass: its forward is not repeatable");
        }
        List<Tensor> roots = new ArrayList<>();
        List<INDArray> seeds = new ArrayList<>();
        for (int i = 0; i < gradOut.length; i++) {
          if (gradOut[i] != null && outs.get(i).requiresGrad()) {
            roots.add(outs.get(i));
            seeds.add(gradOut[i]);
          }
          gradOut[i] = null;
        }
        Autograd.backwardPlain(roots, seeds);
        for (int i = 0; i < leaves.size(); i++) {
          INDArray g = leaves.get(i).grad;
          if (g != null) {
            inputs.get(i).addGradOwned(ws == null ? g : copyInto(g, here));
          }
        }
      } finally {
        TAPE.set(null);
        close(ws, here);
      }
    }
  }

  /** Fresh graph leaves over the inputs' values, so a pass builds a graph of its own. */
  private static List<Tensor> leaves(List<Tensor> inputs) {
    List<Tensor> out = new ArrayList<>(inputs.size());
    for (Tensor t : inputs) {
      out.add(new Tensor(t.data(), t.requiresGrad(), null, null));
    }
    return out;
  }

  private static INDArray copyInto(INDArray x, MemoryWorkspace target) {
    try (MemoryWorkspace borrowed = target.notifyScopeBorrowed()) {
      return x.dup();
    }
  }

  private static void close(MemoryWorkspace ws, MemoryWorkspace previous) {
    if (ws != null) {
      ws.close();
      Nd4j.getMemoryManager().setCurrentWorkspace(previous);
    }
  }

  /** A one-element array outside every workspace: the joint node's "some gradient arrived" flag. */
  private static INDArray marker() {
    INDArray m = marker;
    if (m == null) {
      m = StepArena.outside(() -> Nd4j.scalar(0.0f));
      marker = m;
    }
    return m;
  }
}
