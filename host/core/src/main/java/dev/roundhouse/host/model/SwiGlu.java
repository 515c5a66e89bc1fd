package dev.roundhouse.host.model;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Trainable;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Pointwise;
import dev.roundhouse.tensor.Tensor;
import java.util.List;

/**
 * SwiGLU feed-forward: y = W2 (silu(W1 x) * (W3 x)). Used for the dense FFN, every routed expert
 * and every shared expert. Weights in [out, in] layout; W2 writes into the residual stream.
 */
public final class SwiGlu implements Trainable {
  private final Parameter w1; // [h, d] gate projection
  private final Parameter w3; // [h, d] up projection
  private final Parameter w2; // [d, h] down projection
  private final ParamRole role;
  private final PrecisionPolicy precision;

  public SwiGlu(ParameterFactory params, ParamRole role, int dModel, int hidden, PrecisionPolicy precision) {
    this.w1 = params.normal("w1", role, hidden, dModel);
    this.w3 = params.normal("w3", role, hidden, dModel);
    this.w2 = params.residualOutput("w2", role, dModel, hidden);
    this.role = role;
    this.precision = precision;
  }

  /** x: [n, d] -> [n, d]. */
  public Tensor forward(Tensor x) {
    Tensor xin = precision.activation(x, role);
    Tensor gate = MatOps.linearT(xin, precision.weight(w1)); // [n, h]
    Tensor up = MatOps.linearT(xin, precision.weight(w3)); // [n, h]
    Tensor hidden = Elementwise.mul(Pointwise.silu(gate), up); // [n, h]
    return MatOps.linearT(precision.activation(hidden, role), precision.weight(w2)); // [n, d]
  }

  /** The gate projection W1 [h, d] as the precision policy computes with it. */
  Tensor gateWeight() {
    return precision.weight(w1);
  }

  /** The up projection W3 [h, d] as the precision policy computes with it. */
  Tensor upWeight() {
    return precision.weight(w3);
  }

  /** The down projection W2 [d, h] as the precision policy computes with it. */
  Tensor downWeight() {
    return precision.weight(w2);
  }

  public int hidden() {
    return (int) w1.size(0);
  }

  /** Forward FLOPs per token: three [d x h] products, 2 flops per multiply-add. */
  public long flopsPerToken() {
    return 2L * 3 * w1.numel();
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(w1, w3, w2);
  }
}
