package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * AdamW over one parameter group. Per step t (1-based), with lr' = lr * lrFactor, for each
 * parameter p with gradient g:
 *
 * <pre>
 *   p  = p * (1 - lr' * wd)             only if the group's decay predicate selects p
 *   m  = beta1 * m + (1 - beta1) * g
 *   v  = beta2 * v + (1 - beta2) * g^2
 *   p -= (lr' / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * All updates are whole-array and in place. Slots m and v (shape of p) and one flat scratch buffer
 * per dtype live outside any workspace, so a step allocates no new data buffers.
 */
final class AdamW implements Optimizer {
  private final AdamWConfig cfg;
  private final String group;
  private final List<Parameter> params;
  private final List<Boolean> decays = new ArrayList<>();
  private final List<INDArray> m = new ArrayList<>();
  private final List<INDArray> v = new ArrayList<>();
  private final Map<DataType, INDArray> scratch = new EnumMap<>(DataType.class);
  private long step;

  AdamW(AdamWConfig cfg, OptimizerContext ctx) {
    this.cfg = cfg;
    this.group = ctx.group();
    this.params = ctx.params();
    Set<String> names = new HashSet<>();
    Map<DataType, Long> maxNumel = new EnumMap<>(DataType.class);
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      for (Parameter p : params) {
        if (!names.add(p.name())) {
          throw new IllegalArgumentException("group '" + group + "': duplicate parameter name '" + p.name() + "'");
        }
        decays.add(ctx.decays().test(p));
        m.add(Nd4j.zeros(p.dataType(), p.shape()));
        v.add(Nd4j.zeros(p.dataType(), p.shape()));
        maxNumel.merge(p.dataType(), p.numel(), Math::max);
      }
      maxNumel.forEach((dt, n) -> scratch.put(dt, Nd4j.zeros(dt, n)));
    }
  }

  @Override
  public void step(double lrFactor) {
    if (!(lrFactor >= 0) || Double.isInfinite(lrFactor)) {
      throw new IllegalArgumentException("group '" + group + "': lrFactor must be >= 0 and finite, got " + lrFactor);
    }
    step++;
    double b1 = cfg.beta1();
    double b2 = cfg.beta2();
    double lr = cfg.lr() * lrFactor;
    double sqrtBc2 = Math.sqrt(1 - Math.pow(b2, step));
    try (NoGrad ng = NoGrad.enter()) {
      for (int i = 0; i < params.size(); i++) {
        Parameter p = params.get(i);
        INDArray w = p.data();
        INDArray g = p.grad();
        INDArray mi = m.get(i);
        INDArray vi = v.get(i);
        // tmp: a [shape of p] view of the flat scratch buffer
        INDArray tmp = scratch.get(p.dataType()).get(NDArrayIndex.interval(0, p.numel())).reshape(p.shape());
        if (decays.get(i) && cfg.weightDecay() > 0) {
          w.muli(1 - lr * cfg.weightDecay());
        }
        // libnd4j's fused Adam op (one pass instead of nine; the per-op call cost dominates for the
        // many small expert matrices): m and v updated in place, tmp = lr sqrt(bc2) / bc1 * m /
        // (sqrt(v) + eps'), which with eps' = eps * sqrt(bc2) is exactly the update above.
        // (At lr = 0 libnd4j substitutes eps for its step size, so the update is not applied then.)
        Nd4j.exec(new AdamUpdater(g, vi, mi, tmp, vi, mi, lr, b1, b2, cfg.eps() * sqrtBc2, (int) (step - 1)));
        if (lr > 0) {
          w.subi(tmp);
        }
      }
    }
  }

  @Override
  public double learningRate() {
    return cfg.lr();
  }

  /** Copies of {@code <name>/m}, {@code <name>/v} and the step count {@code step} (LONG scalar). */
  @Override
  public Map<String, INDArray> state() {
    Map<String, INDArray> s = new LinkedHashMap<>();
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      for (int i = 0; i < params.size(); i++) {
        String name = params.get(i).name();
        s.put(name + "/m", m.get(i).dup());
        s.put(name + "/v", v.get(i).dup());
      }
      s.put("step", Nd4j.scalar(DataType.LONG, step));
    }
    return s;
  }

  @Override
  public void loadState(Map<String, INDArray> state) {
    INDArray t = state.get("step");
    if (t == null || t.length() != 1) {
      throw new IllegalArgumentException("group '" + group + "': optimizer state lacks scalar 'step'");
    }
    for (int i = 0; i < params.size(); i++) {
      String name = params.get(i).name();
      copyInto(state, name + "/m", m.get(i));
      copyInto(state, name + "/v", v.get(i));
    }
    step = t.getLong(0);
  }

  private void copyInto(Map<String, INDArray> state, String key, INDArray slot) {
    INDArray src = state.get(key);
    if (src == null) {
      throw new IllegalArgumentException("group '" + group + "': optimizer state lacks '" + key + "'");
    }
    if (!java.util.Arrays.equals(src.shape(), slot.shape())) {
      throw new IllegalArgumentException("group '" + group + "': optimizer state '" + key + "' has shape "
          + java.util.Arrays.toString(src.shape()) + ", expected " + java.util.Arrays.toString(slot.shape()));
    }
    slot.assign(src);
  }
}
