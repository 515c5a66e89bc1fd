package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A weight's low-precision copy (its bf16 cast, its quantised-dequantised value) made once per
 * optimizer step and shared by every data-parallel shard and micro-batch, instead of once per
 * forward pass of each shard.
 *
 * <p>Validity: the trainer changes weights only in the optimizer step, which follows the policy's
 * {@code afterBackward}; the policy calls {@link #invalidate()} there (and in {@code loadState}),
 * so the next forward pass (evaluation or the next step) makes fresh copies. Copies are made only
 * while a {@link StepArena} is open on the calling thread (inside the trainer's steps and
 * evaluations); a forward pass outside any arena (a test that edits weights between passes, a
 * one-off sample) computes afresh and caches nothing. Code that edits weights inside an arena
 * between forward passes without {@code afterBackward} must call {@link #invalidate()}.
 *
 * <p>Thread-safety: shards call {@link #get} concurrently; a weight's copy is made by one of them
 * while the others wait for it (a lock per weight, or the cache's lock when weights of one shape
 * are refilled together). {@link #invalidate()} runs on the training thread
 * between steps. Each copy's buffer is allocated once, outside every workspace, and refilled in place (about two bytes
 * per covered weight for bf16, four for the emulated formats).
 */
final class WeightCache {
  private static final String SCRATCH = "weight-cache-scratch";
  private static final long BATCH_ELEMENTS = 1L << 18; // weights stacked per refill call (1 MB of floats)
  private final ConcurrentHashMap<Parameter, Copy> copies = new ConcurrentHashMap<>();
  private final DataType type;
  private final UnaryOperator<INDArray> make;
  private final UnaryOperator<List<INDArray>> makeAll; // null: one weight at a time
  private volatile long epoch; // bumped by invalidate(); a copy made in an older epoch is refilled

  /** One weight's copy: its buffer is allocated once and refilled in place after each invalidate(). */
  private static final class Copy {
    final INDArray data;
    long epoch = -1; // guarded by this

    Copy(INDArray data) {
      this.data = data;
    }
  }

  /**
   * {@code make}: weight value -> its low-precision value (may allocate temporaries, which go to a
   * scratch arena); the result is stored as {@code type}, or in the weight's own type when null.
   */
  WeightCache(DataType type, UnaryOperator<INDArray> make) {
    this(type, make, null);
  }

  /**
   * As above, with {@code makeAll}: the same rounding for several weights of one shape at once
   * (each result equal to {@code make} of that weight; e.g. one stacked quantisation pass with one
   * scale per weight instead of one pass per weight). With it, the first stale weight asked for in
   * a step refills every stale copy of its shape in one call, under the cache's lock.
   */
  WeightCache(DataType type, UnaryOperator<INDArray> make, UnaryOperator<List<INDArray>> makeAll) {
    this.type = type;
    this.make = make;
    this.makeAll = makeAll;
  }

  /** The copy of {@code p}'s current value: cached inside a step, made afresh outside any arena. */
  INDArray get(Parameter p) {
    if (StepArena.current() == null) {
      return make.apply(p.data());
    }
    Copy c = copies.computeIfAbsent(p, q -> new Copy(StepArena.outside(
        () -> Nd4j.createUninitialized(type == null ? q.dataType() : type, q.shape()))));
    long now = epoch;
    if (makeAll != null) {
      return refillAll(p, c, now);
    }
    synchronized (c) { // one shard fills it, the others wait for it
      if (c.epoch != now) {
        try (StepArena s = StepArena.open(SCRATCH)) {
          c.data.assign(make.apply(p.data()));
        }
        c.epoch = now;
      }
    }
    return c.data;
  }

  /** c (p's copy), refilled together with every other stale copy of p's shape when c is stale. */
  private synchronized INDArray refillAll(Parameter p, Copy c, long now) {
    if (c.epoch == now) {
      return c.data;
    }
    List<Parameter> stale = new ArrayList<>();
    for (Map.Entry<Parameter, Copy> e : copies.entrySet()) {
      Copy o = e.getValue();
      if (o.epoch != now && Arrays.equals(e.getKey().shape(), p.shape())) {
        stale.add(e.getKey());
      }
    }
    // in chunks of at most BATCH_ELEMENTS elements: a stack of every expert weight (~5M floats for
    // tiny-moe) and its rounding temporaries would stream from memory on every pass
    int perChunk = (int) Math.max(1, BATCH_ELEMENTS / Math.max(1, p.data().length()));
    for (int from = 0; from < stale.size(); from += perChunk) {
      List<Parameter> chunk = stale.subList(from, Math.min(stale.size(), from + perChunk));
      List<INDArray> values = new ArrayList<>(chunk.size());
      for (Parameter q : chunk) {
        values.add(q.data());
      }
      try (StepArena s = StepArena.open(SCRATCH)) {
        List<INDArray> made = makeAll.apply(values);
        for (int i = 0; i < chunk.size(); i++) {
          Copy o = copies.get(chunk.get(i));
          o.data.assign(made.get(i));
          o.epoch = now;
        }
      }
    }
    return c.data;
  }

  /** Marks every copy stale (weights are about to change); buffers are kept, so a step allocates none. */
  void invalidate() {
    epoch++;
  }
}
