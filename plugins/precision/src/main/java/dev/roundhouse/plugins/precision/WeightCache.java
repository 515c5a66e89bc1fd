package dev.roundhouse.plugins.precision;

import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
 * while the others wait for it (a lock per weight), or, when weights of one shape are refilled
 * together, the refill's chunks are shared out among the threads that ask (each copy's epoch is
 * guarded by its own lock, the set of refills by the cache's). {@link #invalidate()} runs on the training thread
 * between steps. Copies live outside every workspace and are refilled in place (about two bytes per
 * covered weight for bf16, four for the emulated formats): one buffer per weight, or with {@code
 * makeAll} one buffer per refill chunk whose rows are its copies (allocated by the first refill
 * that finds the chunk's copies apart; in training, the first two steps).
 */
final class WeightCache {
  private static final String SCRATCH = "weight-cache-scratch";
  private static final long BATCH_ELEMENTS = 1L << 18; // weights stacked per refill call (1 MB of floats)
  private final ConcurrentHashMap<Parameter, Copy> copies = new ConcurrentHashMap<>();
  private final DataType type;
  private final UnaryOperator<INDArray> make;
  private final BiConsumer<List<INDArray>, INDArray> makeAll; // null: one weight at a time
  private volatile long epoch; // bumped by invalidate(); a copy made in an older epoch is refilled
  private final Map<String, Refill> refills = new java.util.HashMap<>(); // the latest per shape; guarded by this

  /**
   * One weight's copy, refilled in place after each invalidate(). Its buffer is its own, or (once a
   * refill of several copies has run) a row of a stack shared with the other copies of its refill
   * chunk, so that the rounding writes all of them in one pass.
   */
  private static final class Copy {
    volatile INDArray data; // null until its first stacked refill; replaced only by a Refill under the cache's lock while stale
    INDArray stack; // [n, len] holding data as row `row`, or null; guarded by the cache's lock
    int row;
    long epoch = -1; // guarded by this
    Refill claimedBy; // the refill that fills it in the current epoch; guarded by the cache's lock

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
   * As above, with {@code makeAll}: the same rounding for several weights of one shape at once,
   * written into an [n, len] array whose row i is weight i's copy (each row equal to {@code make} of
   * that weight; e.g. one stacked quantisation pass with one scale per weight instead of one pass
   * per weight). With it, the first stale weight asked for in a step starts a refill of every stale
   * copy of its shape, in chunks shared by the threads that ask.
   */
  WeightCache(DataType type, UnaryOperator<INDArray> make, BiConsumer<List<INDArray>, INDArray> makeAll) {
    this.type = type;
    this.make = make;
    this.makeAll = makeAll;
  }

  /** The copy of {@code p}'s current value: cached inside a step, made afresh outside any arena. */
  INDArray get(Parameter p) {
    if (StepArena.current() == null) {
      return make.apply(p.data());
    }
    // with makeAll the first refill places the copy in its chunk's stack: no buffer of its own
    Copy c = copies.computeIfAbsent(p, q -> new Copy(makeAll != null ? null : StepArena.outside(
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

  /**
   * c (p's copy), refilled together with every other stale copy of p's shape when c is stale. The
   * first thread to find c stale starts a refill of all stale copies of the shape, in chunks; every
   * thread that then asks for one of them takes chunks too until none are left (the data-parallel
   * shards ask at about the same time, so the refill runs on all their cores instead of one shard
   * doing it while the others wait), then waits for its own copy.
   */
  private INDArray refillAll(Parameter p, Copy c, long now) {
    Refill job;
    Refill mine;
    synchronized (this) {
      if (current(c, now)) {
        return c.data;
      }
      String key = Arrays.toString(p.shape());
      if (c.claimedBy == null || c.claimedBy.epoch != now) {
        refills.put(key, new Refill(now, claimStale(p.shape(), now)));
      }
      job = refills.get(key);
      mine = c.claimedBy;
    }
    if (job.epoch == now) {
      job.help();
    }
    synchronized (c) {
      while (c.epoch != now) {
        if (mine.failure != null) {
          throw new IllegalStateException("refilling low-precision weight copies failed", mine.failure);
        }
        try {
          c.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a weight copy", e);
        }
      }
    }
    return c.data;
  }

  private static boolean current(Copy c, long now) {
    synchronized (c) {
      return c.epoch == now;
    }
  }

  /** Every stale copy of this shape that no refill of this epoch has claimed yet (caller holds the cache's lock). */
  private List<Map.Entry<Parameter, Copy>> claimStale(long[] shape, long now) {
    List<Map.Entry<Parameter, Copy>> stale = new ArrayList<>();
    for (Map.Entry<Parameter, Copy> e : copies.entrySet()) {
      Copy o = e.getValue();
      boolean claimed = o.claimedBy != null && o.claimedBy.epoch == now;
      if (!claimed && !current(o, now) && Arrays.equals(e.getKey().shape(), shape)) {
        stale.add(e);
      }
    }
    return stale;
  }

  /**
   * One refill of a shape's stale copies for one epoch: chunks of at most BATCH_ELEMENTS elements
   * (a stack of every expert weight, ~5M floats for tiny-moe, and its rounding temporaries would
   * stream from memory on every pass), claimed one at a time by the threads that help.
   */
  private final class Refill {
    final long epoch;
    final List<List<Map.Entry<Parameter, Copy>>> chunks = new ArrayList<>();
    final List<INDArray> outputs = new ArrayList<>(); // per chunk: its copies as rows of one [n, len] array
    final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    volatile Throwable failure;

    Refill(long epoch, List<Map.Entry<Parameter, Copy>> stale) {
      this.epoch = epoch;
      long len = stale.isEmpty() ? 1 : Math.max(1, stale.get(0).getKey().data().length());
      int perChunk = (int) Math.max(1, BATCH_ELEMENTS / len);
      for (int from = 0; from < stale.size(); from += perChunk) {
        List<Map.Entry<Parameter, Copy>> chunk = stale.subList(from, Math.min(stale.size(), from + perChunk));
        chunks.add(chunk);
        outputs.add(stackedCopies(chunk));
      }
      for (Map.Entry<Parameter, Copy> e : stale) {
        e.getValue().claimedBy = this; // the caller holds the cache's lock
      }
    }

    /** Takes chunks until none are left; each copy is marked current (and its waiters woken) when filled. */
    void help() {
      for (int i = next.getAndIncrement(); i < chunks.size() && failure == null; i = next.getAndIncrement()) {
        List<Map.Entry<Parameter, Copy>> chunk = chunks.get(i);
        List<INDArray> values = new ArrayList<>(chunk.size());
        for (Map.Entry<Parameter, Copy> e : chunk) {
          values.add(e.getKey().data());
        }
        try (StepArena s = StepArena.open(SCRATCH)) {
          makeAll.accept(values, outputs.get(i)); // fills every copy of the chunk
          for (Map.Entry<Parameter, Copy> e : chunk) {
            Copy o = e.getValue();
            synchronized (o) {
              o.epoch = epoch;
              o.notifyAll();
            }
          }
        } catch (RuntimeException | Error e) {
          failure = e;
          throw e;
        }
      }
    }
  }

  /**
   * The chunk's copies as the rows of one [n, len] array (caller holds the cache's lock; the copies
   * are stale, so no thread reads them until this refill marks them current). When they are not
   * already consecutive rows of one stack (the first refill of a chunk), a new stack is allocated
   * outside every workspace and the copies move onto its rows; later refills of the same chunk find
   * them in place and allocate nothing.
   */
  private INDArray stackedCopies(List<Map.Entry<Parameter, Copy>> chunk) {
    Copy first = chunk.get(0).getValue();
    int n = chunk.size();
    boolean inPlace = first.stack != null && first.row + n <= first.stack.rows();
    for (int j = 1; inPlace && j < n; j++) {
      Copy c = chunk.get(j).getValue();
      inPlace = c.stack == first.stack && c.row == first.row + j;
    }
    if (inPlace) {
      return first.row == 0 && n == first.stack.rows() ? first.stack
          : first.stack.get(NDArrayIndex.interval(first.row, first.row + n), NDArrayIndex.all());
    }
    Parameter p0 = chunk.get(0).getKey();
    long len = p0.data().length();
    DataType dt = type == null ? p0.dataType() : type;
    INDArray stack = StepArena.outside(() -> Nd4j.createUninitialized(dt, n, len)); // [n, len]
    for (int j = 0; j < n; j++) {
      Copy c = chunk.get(j).getValue();
      c.stack = stack;
      c.row = j;
      c.data = stack.getRow(j).reshape(chunk.get(j).getKey().shape());
    }
    return stack;
  }

  /** Marks every copy stale (weights are about to change); buffers are kept, so a step allocates none. */
  void invalidate() {
    epoch++;
  }
}
