package dev.roundhouse.api;

import dev.roundhouse.tensor.Tensor;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Assigns tokens to routed experts.
 *
 * <p>Lifecycle: built once per MoE layer. {@link #route} is called once per micro-batch forward
 * pass; {@link #afterOptimizerStep} once after every optimizer step that was applied (skipped steps
 * do not call it), with the tokens each expert received since the previous call (used by
 * aux-loss-free bias balancing). {@link #state()} is saved in checkpoints and restored with {@link
 * #loadState} before training resumes; router state (e.g. expert bias) is never a {@link
 * dev.roundhouse.tensor.Parameter}, so optimizers and weight decay never touch it.
 *
 * <p>Router math runs in fp32 unless a precision policy says otherwise.
 *
 * <p>Thread-safety: an instance is used by one thread at a time and never shared between threads
 * while a step runs. With data-parallel shards ({@code train.dataParallel} > 1) the host builds one
 * instance per shard and layer (shard s > 0 gets its own noise seed); their {@link #route} calls run
 * concurrently on different threads, so a router must keep no mutable static state. Between steps,
 * on the training thread, every instance receives the same {@link #afterOptimizerStep} counts (the
 * sum over shards) and the shard instances then receive the primary's {@link #state()} through
 * {@link #loadState}: the primary instance's state is authoritative.
 */
public interface Router extends Trainable {
  /**
   * x: [N, d] tokens of {@code N / seqLen} sequences, row n = sequence n / seqLen, position n %
   * seqLen. Returns the assignments with differentiable gates and the balance losses.
   */
  Routing route(Tensor x, int seqLen);

  /** tokensPerExpert: [E] counts accumulated since the last call. */
  default void afterOptimizerStep(long[] tokensPerExpert) {}

  /** Per-expert bias used for selection, or null when the router has none. [E]. */
  default INDArray expertBias() {
    return null;
  }

  default Map<String, INDArray> state() {
    return Map.of();
  }

  default void loadState(Map<String, INDArray> state) {}
}
