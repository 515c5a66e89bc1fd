package dev.roundhouse.tensor;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainable leaf tensor with a stable name (used in checkpoints and parameter-group selectors)
 * and a {@link ParamRole}. Its value and gradient live outside any workspace, so they survive the
 * per-step arena; the gradient accumulates across backward passes until {@link #zeroGrad()}.
 *
 * <p>Not thread-safe. Optimizers update {@link #data()} in place. Data-parallel shard replicas are
 * separate Parameter objects over the same value array (each with its own gradient): a shard
 * thread reads the value and writes only its own gradient, and the value is written only between
 * steps, by the optimizer on the training thread.
 */
public final class Parameter extends Tensor {
  private final String name;
  private final ParamRole role;

  public Parameter(String name, ParamRole role, INDArray value) {
    super(detached(value), true, null, null);
    this.name = name;
    this.role = role;
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      this.grad = Nd4j.zeros(value.dataType(), value.shape());
    }
  }

  private static INDArray detached(INDArray v) {
    return v.isAttached() ? v.detach() : v;
  }

  public String name() {
    return name;
  }

  public ParamRole role() {
    return role;
  }

  public long numel() {
    return data().length();
  }

  @Override
  public void addGrad(INDArray g) {
    grad.addi(Broadcast.reduceTo(g, data().shape()));
  }

  @Override
  public void addGradOwned(INDArray g) {
    addGrad(g);
  }

  /** Sets the accumulated gradient to zero (in place, no allocation). */
  public void zeroGrad() {
    grad.assign(0);
  }

  @Override
  public String toString() {
    return "Parameter(" + name + ", " + role + ")" + java.util.Arrays.toString(shape());
  }
}
