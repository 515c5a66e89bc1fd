package dev.roundhouse.host.train;

import dev.roundhouse.api.ParallelLoop;
import dev.roundhouse.host.config.StopAt;
import dev.roundhouse.host.config.TrainConfig;
import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.env.ProcMemory;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.config.ActivationCheckpointing;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.run.LoadedCheckpoint;
import dev.roundhouse.tensor.MemoryPhases;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.OpProfiler;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop of one run. Per optimizer step: gradAccum micro-batches (forward, loss scaled
 * by the precision policy and 1/gradAccum, backward), non-finite check, precision unscale/check,
 * clipping, optimizer step, router state updates; all arrays of the step live in one {@link
 * StepArena}. Emits step / eval / expert_load / checkpoint / alarm events on the run's bus.
 *
 * <p>Not thread-safe, except {@link #requestStop()}, which any thread may call: the loop then
 * writes a checkpoint after the current step and returns.
 */
public final class Trainer {
  /** How a call to {@link #train()} ended. */
  public record Outcome(boolean stopped, int step, Double lastValLoss) {}

  private final TrainingRun run;
  private final TrainConfig tc;
  private final LrSchedule schedule;
  private final ExpertLoadTracker tracker;
  private final DataParallelShards shards;
  private final ParallelLoop loop; // the shard threads, for the work between steps
  private RouterAlarms alarms;
  private final AtomicBoolean stop = new AtomicBoolean();
  private int step;
  private int skippedSteps;
  private int skippedInARow;
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private Double lastValLoss;
  private double trainSeconds; // training wall time before this call of train(), from the checkpoint

  public Trainer(TrainingRun run) {
    this.run = run;
    this.tc = run.config().train();
    this.schedule = LrSchedule.of(tc);
    var data = run.data().train();
    this.tracker = new ExpertLoadTracker(run.model().moeLayers().keySet(), run.config().model().moe().routedExperts(),
        data.hasDomains() ? data.domainNames().size() : 0);
    this.alarms = newAlarms(0);
    this.shards = new DataParallelShards(run.model(), run.shardReplicas());
    this.loop = ShardLoop.of(shards.count());
    ActivationCheckpointing recompute = ActivationCheckpointing.parse(tc.activationCheckpointing());
    for (int s = 0; s < shards.count(); s++) {
      shards.model(s).activationCheckpointing(recompute);
    }
  }

  private RouterAlarms newAlarms(int startStep) {
    var moe = run.config().model().moe();
    return new RouterAlarms(tc.alarms(), run.model().moeLayers().keySet(), moe.routedExperts(), moe.topK(), startStep);
  }

  public void requestStop() {
    stop.set(true);
  }

  /**
   * Makes the loop throw {@code e} at its next check (before the next step, and before it returns): for failures
   * outside the loop that must end the run, such as its metrics record no longer being writable. Any thread; the
   * first failure wins.
   */
  public void fail(RuntimeException e) {
    failure.compareAndSet(null, e);
  }

  private void throwIfFailed() {
    RuntimeException f = failure.get();
    if (f != null) {
      throw f;
    }
  }

  /** Completed optimizer steps. */
  public int step() {
    return step;
  }

  /** Continues from a checkpoint: weights, optimizer/router/precision state, data cursor, step. */
  public void restore(LoadedCheckpoint c) {
    skippedSteps = CheckpointState.restore(run, c);
    step = (int) c.step();
    trainSeconds = c.meta().path("train_s").asDouble(0);
    alarms = newAlarms(step);
    shards.syncRouterState();
  }

  /** Trains until the configured step count or a stop request. */
  public Outcome train() {
    segmentStart = System.nanoTime();
    while (step < tc.steps()) {
      throwIfFailed();
      if (stop.get()) {
        checkpoint();
        throwIfFailed();
        return new Outcome(true, step, lastValLoss);
      }
      trainStep();
      step++;
      boolean last = step == tc.steps();
      boolean reached = false;
      if (step % tc.evalEvery() == 0 || last) {
        double bpb;
        if (DataAccounting.needed(run)) {
          RunEvent.Eval eval = DataAccounting.evalAndPublish(run, step, tc.evalBatches());
          lastValLoss = eval.valLoss();
          bpb = eval.valBpb();
        } else {
          lastValLoss = evaluate();
          bpb = Evaluation.bitsPerByte(lastValLoss);
          run.events().publish(new RunEvent.Eval(step, lastValLoss, bpb));
        }
        reached = targetReached(lastValLoss, bpb);
      }
      if (step % tc.checkpointEvery() == 0 || last || reached) {
        checkpoint();
      }
      if (reached) {
        break;
      }
    }
    throwIfFailed();
    return new Outcome(false, step, lastValLoss);
  }

  private long segmentStart;

  /** Training wall seconds so far, summed over this run's resumes. */
  private double elapsedSeconds() {
    return trainSeconds + (System.nanoTime() - segmentStart) / 1e9;
  }

  /** Publishes target_reached and returns true when train.stopAt is set and this evaluation reaches it. */
  private boolean targetReached(double valLoss, double bpb) {
    StopAt target = tc.stopAt();
    if (target == null) {
      return false;
    }
    double value = target.value(valLoss, bpb);
    if (!target.reached(value)) {
      return false;
    }
    run.events().publish(new RunEvent.TargetReached(step, target.metric(), value, target.atMost(), elapsedSeconds(),
        step * run.tokensPerStep()));
    return true;
  }

  private void trainStep() {
    long t0 = System.nanoTime();
    MoeTransformer model = run.model();
    List<Parameter> params = run.parameters();
    double lossSum = 0;
    Map<String, Double> aux = new TreeMap<>();
    int accum = tc.gradAccum();
    int n = shards.count();
    try (StepArena arena = StepArena.open("train")) {
      for (int micro = 0; micro < accum; micro++) {
        long phase = OpProfiler.begin();
        Batch b = run.loader().next();
        OpProfiler.end("step: next batch", phase);
        List<DataParallelShards.ShardResult> results = shards.run(b, run.precision().lossScale() / (accum * n));
        for (DataParallelShards.ShardResult r : results) {
          routingAlarms(r);
          if (!r.finite()) {
            String where = tc.onNonFinite().equals("stop") ? "; first non-finite values in the "
                + NonFiniteLocator.locate(shards.model(r.shard()), r.batch()) : "";
            nonFinite("loss is " + r.total() + " (cross-entropy " + r.crossEntropy() + ")"
                + (n > 1 ? " in data-parallel shard " + r.shard() : "") + where);
            return;
          }
        }
        for (DataParallelShards.ShardResult r : results) {
          lossSum += r.crossEntropy() / n;
          r.routerLosses().forEach((k, v) -> aux.merge(k, v / (accum * n), Double::sum));
          recordRouting(r);
        }
      }
      if (n > 1) {
        long phase = OpProfiler.begin();
        shards.reduceGradients(loop);
        OpProfiler.end("step: data-parallel gradient sum", phase);
      }
      long phase = OpProfiler.begin();
      boolean apply = run.precision().afterBackward(params);
      OpProfiler.end("step: precision after backward", phase);
      phase = OpProfiler.begin();
      double gradNorm = GradTools.globalNorm(params, loop);
      if (apply && !Double.isFinite(gradNorm)) {
        Parameter bad = GradTools.firstNonFinite(params);
        nonFinite("gradient norm is " + gradNorm + "; first non-finite gradient in parameter "
            + (bad == null ? "?" : bad.name()));
        return;
      }
      if (apply && tc.clipping()) {
        GradTools.clip(params, gradNorm, tc.gradClip(), loop);
      }
      OpProfiler.end("step: grad norm, clipping", phase);
      phase = OpProfiler.begin();
      double lrFactor = schedule.factor(step);
      if (apply) {
        try (NoGrad ng = NoGrad.enter()) {
          run.optimizer().step(lrFactor);
        }
        skippedInARow = 0;
        for (Map.Entry<Integer, MoeLayer> e : model.moeLayers().entrySet()) {
          long[] counts = takeStepCounts(e.getKey());
          e.getValue().router().afterOptimizerStep(counts);
          shards.afterOptimizerStep(e.getKey(), counts);
        }
      } else {
        skippedSteps++;
        model.moeLayers().keySet().forEach(this::takeStepCounts);
      }
      OpProfiler.end("step: optimizer, router updates", phase);
      phase = OpProfiler.begin();
      GradTools.zero(params, loop);
      OpProfiler.end("step: zero grads", phase);
      MemoryPhases.mark("optimizer", null);
      double ms = (System.nanoTime() - t0) / 1e6;
      int done = step + 1;
      if (done % tc.logEvery() == 0 || done == 1 || done == tc.steps()) {
        run.events().publish(new RunEvent.Step(done, lossSum / accum, aux,
            run.optimizer().learningRate() * lrFactor, gradNorm, run.tokensPerStep() / (ms / 1000), ms, peakRss()));
        publishExpertLoad(done);
      }
    }
  }

  /** The process's peak resident set so far (bytes), or null where /proc is not there. */
  private static Long peakRss() {
    long peak = ProcMemory.peak();
    return peak < 0 ? null : peak;
  }

  /** The layer's counts since the last optimizer step (reset), also fed to the dead-expert alarm. */
  private long[] takeStepCounts(int layer) {
    long[] counts = tracker.takeStepCounts(layer);
    alarms.observeStep(layer, counts, step + 1);
    return counts;
  }

  private void recordRouting(DataParallelShards.ShardResult r) {
    int[] domains = null;
    byte[] td = r.batch().targetDomains();
    if (td != null) {
      domains = new int[td.length];
      for (int i = 0; i < domains.length; i++) {
        domains[i] = td[i];
      }
    }
    for (Map.Entry<Integer, RoutingRecord> e : r.routing().entrySet()) {
      tracker.record(e.getKey(), e.getValue(), domains);
    }
  }

  /** Alarms at once for non-finite router output in this micro-batch (before a NaN loss stops the run). */
  private void routingAlarms(DataParallelShards.ShardResult r) {
    Map<Integer, MoeLayer> layers = run.model().moeLayers();
    for (Map.Entry<Integer, RoutingRecord> e : r.routing().entrySet()) {
      alarms.checkRouting(step + 1, e.getKey(), layers.get(e.getKey()).routerId(), e.getValue())
          .forEach(run.events()::publish);
    }
  }

  private void nonFinite(String what) {
    String msg = "step " + (step + 1) + ": " + what;
    run.events().publish(new RunEvent.Alarm(step + 1, null, RunEvent.Alarm.NON_FINITE, msg));
    shards.zeroGradients();
    if (tc.onNonFinite().equals("skip")) {
      skippedSteps++;
      skippedInARow++;
      if (skippedInARow >= tc.maxConsecutiveSkips()) {
        throw new TrainingFailure(step + 1, skippedInARow + " steps in a row skipped for non-finite values"
            + " (train.maxConsecutiveSkips=" + tc.maxConsecutiveSkips() + "); the last: " + msg, null);
      }
      run.model().moeLayers().keySet().forEach(this::takeStepCounts);
      return;
    }
    throw new TrainingFailure(step + 1, msg + " (set train.onNonFinite=\"skip\" to skip such steps)", null);
  }

  private void publishExpertLoad(int done) {
    List<LayerLoad> layers = new ArrayList<>();
    List<String> domainNames = run.data().train().hasDomains() ? run.data().train().domainNames() : List.of();
    for (Map.Entry<Integer, MoeLayer> e : run.model().moeLayers().entrySet()) {
      int layer = e.getKey();
      INDArray bias = e.getValue().router().expertBias();
      Map<String, long[]> perDomain = null;
      long[][] dc = tracker.reportDomainCounts(layer);
      if (dc != null) {
        perDomain = new LinkedHashMap<>();
        for (int d = 0; d < dc.length; d++) {
          perDomain.put(domainNames.get(d), dc[d]);
        }
      }
      LayerLoad load = LayerLoad.of(layer, tracker.reportCounts(layer),
          bias == null ? null : bias.minNumber().doubleValue(), bias == null ? null : bias.maxNumber().doubleValue(),
          tracker.reportDropped(layer), perDomain, tracker.reportLosses(layer), tracker.reportStats(layer));
      layers.add(load);
      alarms.checkWindow(done, load).forEach(run.events()::publish);
    }
    tracker.resetReport();
    run.events().publish(new RunEvent.ExpertLoad(done, layers));
  }

  /** Mean validation cross-entropy (nats per token) over the configured number of fixed batches. */
  public double evaluate() {
    return Evaluation.meanLoss(run.model(), run.validation().batches(tc.evalBatches()));
  }

  /** Writes a checkpoint of the current step and announces it. */
  public Path checkpoint() {
    var meta = CheckpointState.meta(run, step, skippedSteps);
    meta.put("train_s", segmentStart == 0 ? trainSeconds : elapsedSeconds());
    Path p = run.checkpoints().save(step, CheckpointState.tensors(run), meta);
    run.events().publish(new RunEvent.Checkpoint(step, p.toString()));
    return p;
  }

  public int skippedSteps() {
    return skippedSteps;
  }
}
