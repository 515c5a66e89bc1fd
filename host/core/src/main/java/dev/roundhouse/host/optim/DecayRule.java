package dev.roundhouse.host.optim;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import java.util.function.Predicate;

/** Which parameters take weight decay. */
public final class DecayRule {
  private DecayRule() {}

  /** The default: matrices decay; norms, biases, router weights and 1-D tensors do not. */
  public static boolean defaults(Parameter p) {
    return p.rank() >= 2 && p.role() != ParamRole.ROUTER && p.role() != ParamRole.NORM && p.role() != ParamRole.BIAS;
  }

  /** A group's rule: null = {@link #defaults}, true = every parameter, false = none. */
  public static Predicate<Parameter> of(Boolean decay) {
    if (decay == null) {
      return DecayRule::defaults;
    }
    return decay ? p -> true : p -> false;
  }
}
