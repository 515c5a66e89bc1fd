package dev.roundhouse.host.train;

import dev.roundhouse.api.ParallelLoop;
import dev.roundhouse.api.Router;
import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.tensor.MemoryPhases;
import dev.roundhouse.tensor.OpProfiler;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Data parallelism inside one process: a micro-batch of B sequences is split into S shards of B / S
 * sequences; shard s runs forward and backward on its own model replica (shard 0 is the run's model,
 * on the calling thread; shards 1.. on their own threads). Replicas share every parameter value
 * with the primary but have their own gradient accumulators, plugin instances (attention, routers)
 * and step arenas, so no array is written by two threads. After the micro-batches of a step, {@link
 * #reduceGradients(ParallelLoop)} adds the replicas' gradients into the primary's in shard order (deterministic
 * whatever the thread timing). Router state stays equal across replicas: every replica gets the same
 * {@code afterOptimizerStep} counts, then the primary's state is loaded into it.
 *
 * <p>Each shard's loss is the mean over its own tokens, seeded with 1/S of the step's scale, so the
 * summed gradient equals the single-shard gradient whenever the loss is a mean of per-token or
 * per-sequence terms (cross-entropy over equally long rows, z-loss, sequence-scope aux loss). The
 * batch- and global-scope aux losses (their expert fractions) and expert-choice capacity are taken
 * per shard, as in multi-device data parallelism.
 *
 * <p>Used by the trainer's thread only; shards 1.. run on the process-wide {@link ShardThreads}.
 */
final class DataParallelShards {
  /** One shard's micro-batch: its rows, loss values and per-layer routing, as plain values. */
  record ShardResult(int shard, Batch batch, double crossEntropy, double total, Map<String, Double> routerLosses,
      Map<Integer, RoutingRecord> routing) {
    boolean finite() {
      return Double.isFinite(total);
    }
  }

  private final List<MoeTransformer> models; // [S], 0 = primary
  private final List<List<Parameter>> params; // [S][P], same order as the primary's

  DataParallelShards(MoeTransformer primary, List<MoeTransformer> replicas) {
    this.models = new ArrayList<>();
    models.add(primary);
    models.addAll(replicas);
    this.params = models.stream().map(MoeTransformer::parameters).toList();
  }

  int count() {
    return models.size();
  }

  MoeTransformer model(int shard) {
    return models.get(shard);
  }

  /**
   * Forward and backward of {@code b} split over the shards; backward is seeded with {@code seed}
   * (loss scale / (gradAccum * S)) unless that shard's loss is non-finite. Results in shard order.
   */
  List<ShardResult> run(Batch b, double seed) {
    int n = models.size();
    if (n == 1) {
      return List.of(runShard(0, b, seed));
    }
    List<Future<ShardResult>> futures = new ArrayList<>();
    for (int s = 1; s < n; s++) {
      int shard = s;
      Batch part = b.shard(s, n);
      futures.add(ShardThreads.forShard(shard).submit(() -> runShard(shard, part, seed)));
    }
    List<ShardResult> out = new ArrayList<>();
    RuntimeException first = null;
    try {
      out.add(runShard(0, b.shard(0, n), seed));
    } catch (RuntimeException e) {
      first = e;
    }
    long waiting = OpProfiler.begin();
    for (Future<ShardResult> f : futures) {
      try {
        out.add(f.get());
      } catch (ExecutionException e) {
        first = first != null ? first : unwrap(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        first = first != null ? first : new IllegalStateException("interrupted while waiting for a shard", e);
      }
    }
    OpProfiler.end("step: shard 0 waits for the other shards", waiting);
    if (first != null) {
      zeroGradients();
      throw first;
    }
    return out;
  }

  private ShardResult runShard(int shard, Batch b, double seed) {
    MoeTransformer model = models.get(shard);
    try (StepArena arena = StepArena.open("train")) {
      MoeTransformer.Loss loss = model.loss(b.inputs(), b.targets(), b.rows(), b.seqLen());
      long phase = OpProfiler.begin();
      double ce = loss.crossEntropy().item();
      double total = loss.total().item();
      Map<String, Double> aux = new TreeMap<>();
      loss.routerLosses().forEach((k, v) -> aux.put(k, v.item()));
      Map<Integer, RoutingRecord> routing = new LinkedHashMap<>();
      for (Map.Entry<Integer, MoeLayer> e : model.moeLayers().entrySet()) {
        routing.put(e.getKey(), RoutingRecord.of(e.getValue().lastRouting()));
      }
      OpProfiler.end("step: loss values, routing stats", phase);
      MemoryPhases.mark("forward", loss.total());
      if (Double.isFinite(total)) {
        loss.total().backward(loss.total().data().ulike().assign(seed));
      }
      MemoryPhases.mark("backward", null);
      return new ShardResult(shard, b, ce, total, aux, routing);
    }
  }

  /**
   * Adds every replica's gradients into the primary's, in shard order, and zeroes the replicas';
   * parameters are spread over {@code loop}'s threads (each parameter's sum order is fixed).
   */
  void reduceGradients(ParallelLoop loop) {
    List<Parameter> primary = params.get(0);
    loop.forEach(primary.size(), i -> {
      for (int s = 1; s < params.size(); s++) {
        Parameter replica = params.get(s).get(i);
        primary.get(i).grad().addi(replica.grad());
        replica.zeroGrad();
      }
    });
  }

  /** Zeroes the gradients of every shard, the primary's included. */
  void zeroGradients() {
    params.forEach(GradTools::zero);
  }

  /** The primary's routers got {@code afterOptimizerStep}; the replicas' get the same, then its state. */
  void afterOptimizerStep(int layer, long[] counts) {
    Router primary = models.get(0).moeLayers().get(layer).router();
    for (int s = 1; s < models.size(); s++) {
      Router r = models.get(s).moeLayers().get(layer).router();
      r.afterOptimizerStep(counts);
      r.loadState(primary.state());
    }
  }

  /** Loads the primary's router state into every replica (after a checkpoint restore). */
  void syncRouterState() {
    for (int s = 1; s < models.size(); s++) {
      for (Map.Entry<Integer, MoeLayer> e : models.get(s).moeLayers().entrySet()) {
        e.getValue().router().loadState(models.get(0).moeLayers().get(e.getKey()).router().state());
      }
    }
  }

  private static RuntimeException unwrap(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(t);
  }
}
