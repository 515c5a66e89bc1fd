package dev.roundhouse.api;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a run rounds weights and activations, scales the loss and guards the update.
 *
 * <p>Lifecycle: built once per run. During each forward pass components call {@link #weight} for
 * every weight they multiply with and {@link #activation} for the input of such a product. The
 * trainer multiplies the loss by {@link #lossScale()} before backward, then calls {@link
 * #afterBackward} once per optimizer step; it skips the update when that returns false. State is
 * checkpointed through {@link #state()}/{@link #loadState}.
 *
 * <p>Thread-safety: one instance serves every data-parallel shard, so {@link #weight}, {@link
 * #activation} and {@link #lossScale()} may be called concurrently from shard threads and must not
 * change the policy's state; {@link #afterBackward}, {@link #state()} and {@link #loadState} are
 * called only by the training thread, between steps, when no shard is running.
 */
public interface PrecisionPolicy {
  /** The value to compute with for weight {@code p} (identity for fp32). Gradients pass straight through. */
  Tensor weight(Parameter p);

  /**
   * The value to compute with for activation {@code x} entering a product with a weight of {@code role}.
   * The host probes once per MoE layer whether this returns {@code x} itself for routed experts; if so
   * it multiplies all routed experts' rows in grouped products (same values), otherwise it calls this
   * once per expert block, so a per-tensor scale sees one expert's rows.
   */
  default Tensor activation(Tensor x, ParamRole role) {
    return x;
  }

  /** Factor the trainer multiplies the loss by before backward. */
  default double lossScale() {
    return 1.0;
  }

  /**
   * Unscales gradients in place and checks them. Returns false when the step must be skipped (for
   * example an overflow under dynamic loss scaling).
   */
  default boolean afterBackward(List<Parameter> params) {
    return true;
  }

  /** Human-readable policy per parameter role, written to the run record. */
  default Map<String, String> describe() {
    return Map.of();
  }

  default Map<String, INDArray> state() {
    return Map.of();
  }

  default void loadState(Map<String, INDArray> state) {}
}
