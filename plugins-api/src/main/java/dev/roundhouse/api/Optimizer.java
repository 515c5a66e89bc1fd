package dev.roundhouse.api;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates one parameter group in place.
 *
 * <p>Lifecycle: built once per parameter group with the group's parameters; {@link #step} is called
 * once per applied optimizer step, inside a no-grad scope, after gradients were unscaled, checked
 * and clipped. State slots are allocated on first use or in {@code build}, outside any workspace.
 * {@link #state()} keys are {@code <parameter name>/<slot>} and must round-trip through {@link
 * #loadState} so a resumed run continues bit-for-bit.
 *
 * <p>Thread-safety: {@link #step} and the state methods are called on the run's training thread
 * only; inside {@code step} an optimizer may spread independent per-parameter work over the host's
 * threads with {@link OptimizerContext#parallel()}.
 */
public interface Optimizer {
  /**
   * One update of every parameter of the group from its accumulated gradient.
   *
   * @param lrFactor the schedule multiplier in [0, 1] at this step; the effective learning rate is
   *     the configured one times this
   */
  void step(double lrFactor);

  /** The configured (peak) learning rate, for logging. */
  double learningRate();

  /**
   * The optimizer's state now, {@code <parameter name>/<slot>} -> array. May return the live slot
   * arrays rather than copies (the built-in optimizers do, so a checkpoint holds no second optimizer
   * state): the host reads them at once, before the next {@link #step}, and never writes to them.
   */
  Map<String, INDArray> state();

  /** Restores {@link #state()}'s arrays by copying their values into this optimizer's own slots. */
  void loadState(Map<String, INDArray> state);
}
