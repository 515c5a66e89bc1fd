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
   * The host probes once per MoE layer whether this returns {@code x} itself for routed experts or
   * {@link #activationRowwise} says it rounds row by row; if so it calls this once over all routed
   * experts' rows and multiplies them in grouped products (same values), otherwise it calls this
   * once per expert block, so a per-tensor scale sees one expert's rows.
   */
  default Tensor activation(Tensor x, ParamRole role) {
    return x;
  }

  /**
   * Whether {@link #activation} for {@code role} treats each row of its input on its own: the value
   * (and the gradient rounding) of a row depends only on that row, never on other rows (no
   * per-tensor scale or amax), so applying it once to rows stacked from several inputs gives the
   * same values as applying it to each input and stacking the results. True for element-wise
   * roundings (a bf16 cast) and for scales shared only within a row (fp8's 1 x b block scales).
   *
   * <p>When true for {@link ParamRole#ROUTED_EXPERT}, the host calls {@link #activation} once over
   * all routed rows of a MoE layer and runs the experts as grouped products (same values as one
   * call per expert block, fewer ops); when false it keeps one call per expert block. Must not
   * depend on state: the host asks once per layer and keeps the answer for the run. Called from
   * shard threads, like {@link #activation}. Default: false (the conservative answer; a policy
   * whose {@link #activation} returns its argument unchanged is grouped anyway).
   *
   * @since 2026-12-06 (additive; policies that do not override it keep their previous behaviour)
   */
  default boolean activationRowwise(ParamRole role) {
    return false;
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
