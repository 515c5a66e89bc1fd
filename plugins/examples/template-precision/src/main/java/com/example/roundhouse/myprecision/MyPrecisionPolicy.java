package com.example.roundhouse.myprecision;

import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.List;

/**
 * fp32 compute (weights and activations pass through) with a static loss scale: the trainer multiplies the
 * loss by {@link #lossScale()}, {@link #afterBackward} divides every gradient by it and skips the step when
 * a gradient is not finite. Thread-safety: {@code weight}, {@code activation} and {@code lossScale} may run
 * concurrently on shard threads and change nothing; {@code afterBackward} runs on the training thread.
 */
final class MyPrecisionPolicy implements PrecisionPolicy {
  private final double lossScale;

  MyPrecisionPolicy(MyPrecisionConfig config) {
    this.lossScale = config.lossScale();
  }

  @Override
  public Tensor weight(Parameter p) {
    return p;
  }

  @Override
  public double lossScale() {
    return lossScale;
  }

  @Override
  public boolean afterBackward(List<Parameter> params) {
    boolean finite = true;
    for (Parameter p : params) {
      if (p.grad() != null) {
        p.grad().divi(lossScale); // whole-array op
        finite &= Double.isFinite(p.grad().sumNumber().doubleValue());
      }
    }
    return finite;
  }
}
