package dev.roundhouse.host.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.BatchLoader;
import dev.roundhouse.host.run.DataFingerprint;
import dev.roundhouse.host.data.Dataset;
import dev.roundhouse.host.data.ValidationBatches;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.model.ModelSummary;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.optim.OptimizerSet;
import dev.roundhouse.host.run.CheckpointStore;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.tensor.Parameter;
import java.util.List;

/**
 * Everything one training run is made of, assembled by {@link RunFactory}: the resolved config,
 * the model and its plugins, data, the run directory and the event bus. Owned by one thread.
 * {@code shardReplicas}: the model's replicas for data-parallel shards 1.. (empty unless {@code
 * train.dataParallel} > 1); they share the model's parameter values, see {@link DataParallelShards}.
 * {@code dataFingerprint}: size and hash of every file the run reads, stored in each checkpoint.
 */
public record TrainingRun(
    RunConfig config,
    ObjectNode resolvedConfig,
    String fingerprint,
    MoeTransformer model,
    ModelSummary summary,
    PrecisionPolicy precision,
    OptimizerSet optimizer,
    List<Parameter> parameters,
    Dataset data,
    BatchLoader loader,
    ValidationBatches validation,
    RunDirectory directory,
    CheckpointStore checkpoints,
    EventBus events,
    List<MoeTransformer> shardReplicas,
    DataFingerprint dataFingerprint) {

  /** Tokens per optimizer step. */
  public long tokensPerStep() {
    return (long) config.train().batchSize() * config.train().gradAccum() * config.model().seqLen();
  }
}
