package dev.roundhouse.host.config;

/**
 * Training loop settings. {@code gradClip} null or 0 turns clipping off. Schedule: {@code
 * "cosine"} (linear warmup, cosine to minLrFrac at the last step), {@code "wsd"} (warmup, stable,
 * linear decay to minLrFrac over the last decayFrac of steps) or {@code "constant"} (warmup then flat).
 * {@code onNonFinite}: "stop" (fail the run naming the first non-finite parameter gradient) or
 * "skip" (skip the update, count it, raise an alarm); with "skip", {@code maxConsecutiveSkips} (default
 * {@value #DEFAULT_MAX_CONSECUTIVE_SKIPS}) steps skipped in a row fail the run, since weights that stay broken
 * would otherwise skip every step and "finish". {@code alarms}: router-health alarm thresholds
 * ({@link AlarmsConfig}). {@code dataParallel}: shards per micro-batch, each run on its own thread
 * over batchSize / dataParallel sequences with a model replica sharing the weights; gradients are
 * summed in shard order before clipping and the optimizer step (see docs/performance.md).
 * {@code stopAt} (optional, {@link StopAt}): end the run at the first evaluation that reaches a target
 * (time-to-target runs); null trains all {@code steps}. {@code activationCheckpointing}: what each block
 * recomputes in backward instead of keeping, "none" (default), "attention", "moe" or "block" (see
 * docs/memory.md); gradients are the same in every mode.
 */
public record TrainConfig(
    Integer steps,
    Integer batchSize,
    Integer gradAccum,
    Integer dataParallel,
    String schedule,
    Integer warmupSteps,
    Double minLrFrac,
    Double decayFrac,
    Double gradClip,
    Integer evalEvery,
    Integer evalBatches,
    Integer checkpointEvery,
    Integer keepCheckpoints,
    Integer logEvery,
    Integer threads,
    String dtype,
    String onNonFinite,
    Integer maxConsecutiveSkips,
    AlarmsConfig alarms,
    StopAt stopAt,
    String activationCheckpointing) {
  /** Default of {@code maxConsecutiveSkips}. */
  public static final int DEFAULT_MAX_CONSECUTIVE_SKIPS = 10;

  public TrainConfig {
    steps = steps == null ? 400 : steps;
    batchSize = batchSize == null ? 16 : batchSize;
    gradAccum = gradAccum == null ? 1 : gradAccum;
    dataParallel = dataParallel == null ? 1 : dataParallel;
    schedule = schedule == null ? "cosine" : schedule;
    warmupSteps = warmupSteps == null ? 50 : warmupSteps;
    minLrFrac = minLrFrac == null ? 0.1 : minLrFrac;
    decayFrac = decayFrac == null ? 0.2 : decayFrac;
    evalEvery = evalEvery == null ? 50 : evalEvery;
    evalBatches = evalBatches == null ? 8 : evalBatches;
    checkpointEvery = checkpointEvery == null ? 100 : checkpointEvery;
    keepCheckpoints = keepCheckpoints == null ? 3 : keepCheckpoints;
    logEvery = logEvery == null ? 10 : logEvery;
    threads = threads == null ? 0 : threads;
    dtype = dtype == null ? "float" : dtype;
    onNonFinite = onNonFinite == null ? "stop" : onNonFinite;
    maxConsecutiveSkips = maxConsecutiveSkips == null ? DEFAULT_MAX_CONSECUTIVE_SKIPS : maxConsecutiveSkips;
    activationCheckpointing = activationCheckpointing == null ? "none" : activationCheckpointing;
    alarms = (alarms == null ? AlarmsConfig.defaults() : alarms).withDefaultGrace(logEvery, warmupSteps);
  }

  public boolean clipping() {
    return gradClip != null && gradClip > 0;
  }

  void check(String path, Problems p) {
    p.positive(path + ".steps", steps);
    p.positive(path + ".batchSize", batchSize);
    p.positive(path + ".gradAccum", gradAccum);
    p.positive(path + ".dataParallel", dataParallel);
    if (dataParallel > 0 && batchSize > 0 && batchSize % dataParallel != 0) {
      p.add(path + ".dataParallel", "must divide train.batchSize=" + batchSize + " (each shard gets batchSize /"
          + " dataParallel sequences), got " + dataParallel);
    }
    if (!schedule.equals("cosine") && !schedule.equals("wsd") && !schedule.equals("constant")) {
      p.add(path + ".schedule", "must be one of cosine, wsd, constant; got \"" + Problems.cut(schedule) + "\"");
    }
    p.nonNegative(path + ".warmupSteps", warmupSteps);
    p.range(path + ".minLrFrac", minLrFrac, 0, 1);
    p.range(path + ".decayFrac", decayFrac, 0, 1);
    p.range(path + ".gradClip", gradClip, 0, 1e6);
    p.positive(path + ".evalEvery", evalEvery);
    p.positive(path + ".evalBatches", evalBatches);
    p.positive(path + ".checkpointEvery", checkpointEvery);
    p.positive(path + ".keepCheckpoints", keepCheckpoints);
    p.positive(path + ".logEvery", logEvery);
    p.nonNegative(path + ".threads", threads);
    if (!dtype.equals("float") && !dtype.equals("double")) {
      p.add(path + ".dtype", "must be \"float\" or \"double\", got \"" + Problems.cut(dtype) + "\"");
    }
    if (!onNonFinite.equals("stop") && !onNonFinite.equals("skip")) {
      p.add(path + ".onNonFinite", "must be \"stop\" or \"skip\", got \"" + Problems.cut(onNonFinite) + "\"");
    }
    p.range(path + ".maxConsecutiveSkips", maxConsecutiveSkips, 1, 1_000_000);
    if (ActivationCheckpointing.parse(activationCheckpointing) == null) {
      p.add(path + ".activationCheckpointing", "must be one of " + ActivationCheckpointing.VALUES
          + "; got \"" + Problems.cut(activationCheckpointing) + "\"");
    }
    alarms.check(path + ".alarms", p);
    if (stopAt != null) {
      stopAt.check(path + ".stopAt", p);
    }
  }
}
