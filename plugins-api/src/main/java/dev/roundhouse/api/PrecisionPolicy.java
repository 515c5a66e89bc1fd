package dev.roundhouse.api;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
   * For routed experts the host calls {@link #activationGroups} instead (once per MoE layer, one
   * row group per expert), whose default calls this once over all rows when {@link
   * #activationRowwise} holds and once per expert block otherwise, so a per-tensor scale sees one
   * expert's rows.
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
   * <p>When true for {@link ParamRole#ROUTED_EXPERT}, the default {@link #activationGroups} calls
   * {@link #activation} once over all routed rows of a MoE layer (one bf16 cast instead of one per
   * expert: same values, fewer ops); when false it calls it once per expert block. Must not depend
   * on state. Called from shard threads, like {@link #activation}. Default: false (the conservative
   * answer).
   *
   * @since 1.2.0 (additive; policies that do not override it keep their previous behaviour)
   */
  default boolean activationRowwise(ParamRole role) {
    return false;
  }

  /**
   * {@link #activation} applied to each row group of {@code x} on its own, the results stacked in
   * the same row order: rows {@code offsets[g] .. offsets[g+1] - 1} of the result (and the gradient
   * that flows back into them) are exactly what {@code activation} gives for those rows alone. The
   * host calls this once per MoE layer for the routed experts' rows (one group per active expert)
   * and then runs the experts as grouped products, instead of calling {@link #activation} once per
   * expert block.
   *
   * <p>Default: {@code activation(x, role)} when {@link #activationRowwise} holds (one call over all
   * rows gives the same values); {@code x} when {@code activation} returns a one-element probe
   * unchanged (the role is not rounded); otherwise a split into the groups, {@code activation} per group
   * and a concatenation (the same values as per-block calls). A policy with per-tensor scales may
   * override it to compute one scale per group and round all rows in one pass, with the same
   * values as its per-group {@code activation}. Thread-safety as {@link #activation}.
   *
   * @param x [M, k] rows grouped consecutively
   * @param offsets [G + 1] group g owns rows offsets[g] .. offsets[g+1] - 1; offsets[0] = 0,
   *     offsets[G] = M, non-decreasing, groups may be empty
   * @return [M, k]
   * @since 1.2.0 (additive)
   */
  default Tensor activationGroups(Tensor x, int[] offsets, ParamRole role) {
    if (activationRowwise(role)) {
      return activation(x, role);
    }
    Tensor probe = Tensor.constant(Nd4j.scalar(x.dataType(), 1.0).reshape(1, 1));
    if (activation(probe, role) == probe) {
      return x; // the policy leaves this role's activations alone
    }
    List<Tensor> parts = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (int g = 0; g + 1 < offsets.length; g++) {
      if (offsets[g + 1] > offsets[g]) {
        sizes.add((long) (offsets[g + 1] - offsets[g]));
      }
    }
    if (sizes.size() <= 1) {
      return activation(x, role);
    }
    List<Tensor> blocks = Shapes.split(x, 0,
        sizes.stream().mapToLong(Long::longValue).toArray());
    for (Tensor b : blocks) {
      parts.add(activation(b, role));
    }
    return Shapes.concat(0, parts.toArray(Tensor[]::new));
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
