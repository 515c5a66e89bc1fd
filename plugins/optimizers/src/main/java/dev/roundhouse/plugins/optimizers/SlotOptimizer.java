package dev.roundhouse.plugins.optimizers;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.ParallelLoop;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Common frame of the optimizers in this jar: per-parameter state slots allocated once outside any
 * workspace, the decay flags from the group's predicate, a step counter, and the checkpoint format
 * {@code <parameter name>/<slot>} plus {@code step} (LONG scalar). Subclasses implement {@link
 * #update} for one parameter, touching only that parameter and its slots: {@link #step} runs the
 * parameters through the context's {@link ParallelLoop}, possibly several at once on the host's
 * threads. Temporaries they make live in the running thread's step arena.
 */
abstract class SlotOptimizer implements Optimizer {
  protected final String group;
  protected final List<Parameter> params;
  protected final boolean[] decays;
  private final ParallelLoop parallel;
  private final Map<String, List<INDArray>> slots = new LinkedHashMap<>();
  protected long step;

  SlotOptimizer(OptimizerContext ctx) {
    this.group = ctx.group();
    this.params = ctx.params();
    this.decays = new boolean[params.size()];
    this.parallel = ctx.parallel();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("group '" + group + "': duplicate parameter name '" + p.name() + "'");
      }
      decays[i] = ctx.decays().test(p);
    }
  }

  /** Adds a slot holding one array per parameter, made by {@code shapeOf} (null for no array). */
  protected final List<INDArray> slot(String name, java.util.function.Function<Parameter, long[]> shapeOf) {
    List<INDArray> arrays = StepArena.outside(() -> {
      List<INDArray> out = new ArrayList<>();
      for (Parameter p : params) {
        long[] shape = shapeOf.apply(p);
        out.add(shape == null ? null : Nd4j.zeros(p.dataType(), shape));
      }
      return out;
    });
    slots.put(name, arrays);
    return arrays;
  }

  /** One update of parameter i (index in the group) with effective learning rate lr. */
  protected abstract void update(int i, Parameter p, double lr);

  @Override
  public final void step(double lrFactor) {
    if (!(lrFactor >= 0) || Double.isInfinite(lrFactor)) {
      throw new IllegalArgumentException("group '" + group + "': lrFactor must be >= 0 and finite, got " + lrFactor);
    }
    step++;
    double lr = learningRate() * lrFactor;
    try (NoGrad ng = NoGrad.enter()) {
      parallel.forEach(params.size(), i -> update(i, params.get(i), lr)); // parameters are independent
    }
  }

  /** Decoupled weight decay: p *= 1 - lr * wd, for parameters the group's predicate selects. */
  protected final void decay(int i, Parameter p, double lr, double wd) {
    if (decays[i] && wd > 0) {
      p.data().muli(1 - lr * wd);
    }
  }

  /**
   * The live slot arrays themselves, not copies (a checkpoint writes them at once; a copy of every
   * slot was a second optimizer state, 0.48 GB at 60.6M parameters, while the checkpoint was
   * written): read them before the next {@link #step}. {@link #loadState} copies into the slots.
   */
  @Override
  public Map<String, INDArray> state() {
    return StepArena.outside(() -> {
      Map<String, INDArray> s = new LinkedHashMap<>();
      for (int i = 0; i < params.size(); i++) {
        for (Map.Entry<String, List<INDArray>> e : slots.entrySet()) {
          INDArray a = e.getValue().get(i);
          if (a != null) {
            s.put(params.get(i).name() + "/" + e.getKey(), a);
          }
        }
      }
      s.put("step", Nd4j.scalar(DataType.LONG, step));
      return s;
    });
  }

  @Override
  public void loadState(Map<String, INDArray> state) {
    INDArray t = state.get("step");
    if (t == null || t.length() != 1) {
      throw new IllegalArgumentException("group '" + group + "': optimizer state lacks scalar 'step'");
    }
    for (int i = 0; i < params.size(); i++) {
      for (Map.Entry<String, List<INDArray>> e : slots.entrySet()) {
        INDArray slot = e.getValue().get(i);
        if (slot == null) {
          continue;
        }
        String key = params.get(i).name() + "/" + e.getKey();
        INDArray src = state.get(key);
        if (src == null) {
          throw new IllegalArgumentException("group '" + group + "': optimizer state lacks '" + key + "'");
        }
        if (!Arrays.equals(src.shape(), slot.shape())) {
          throw new IllegalArgumentException("group '" + group + "': optimizer state '" + key + "' has shape "
              + Arrays.toString(src.shape()) + ", expected " + Arrays.toString(slot.shape()));
        }
        slot.assign(src);
      }
    }
    step = t.getLong(0);
  }
}
