package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
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
 * while the others wait for it ({@link ConcurrentHashMap#computeIfAbsent}). {@link #invalidate()}
 * runs on the training thread between steps. Copies live outside every workspace (about two bytes
 * per covered weight for bf16, four for the emulated formats).
 */
final class WeightCache {
  private static final String SCRATCH = "weight-cache-scratch";
  private final ConcurrentHashMap<Parameter, INDArray> copies = new ConcurrentHashMap<>();
  private final DataType type;
  private final UnaryOperator<INDArray> make;

  /**
   * {@code make}: weight value -> its low-precision value (may allocate temporaries, which go to a
   * scratch arena); the result is stored as {@code type}, or in the weight's own type when null.
   */
  WeightCache(DataType type, UnaryOperator<INDArray> make) {
    this.type = type;
    this.make = make;
  }

  /** The copy of {@code p}'s current value: cached inside a step, made afresh outside any arena. */
  INDArray get(Parameter p) {
    if (StepArena.current() == null) {
      return make.apply(p.data());
    }
    return copies.computeIfAbsent(p, this::detachedCopy);
  }

  /** Drops every copy (weights are about to change). */
  void invalidate() {
    copies.clear();
  }

  private INDArray detachedCopy(Parameter p) {
    INDArray out = StepArena.outside(() -> Nd4j.createUninitialized(type == null ? p.dataType() : type, p.shape()));
    try (StepArena s = StepArena.open(SCRATCH)) {
      out.assign(make.apply(p.data()));
    }
    return out;
  }
}
