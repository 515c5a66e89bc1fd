package com.example.roundhouse.myplugin;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain SGD over one parameter group: {@code p -= lr * lrFactor * g}, whole-array and in place. No state,
 * so checkpoints hold nothing for it. An optimizer with state (moments) allocates it in the constructor
 * outside every workspace ({@code StepArena.outside(...)}) and returns it from {@link #state()}.
 */
final class MyOptimizer implements Optimizer {
  private final MyOptimizerConfig cfg;
  private final List<Parameter> params;

  MyOptimizer(MyOptimizerConfig cfg, OptimizerContext ctx) {
    this.cfg = cfg;
    this.params = ctx.params();
  }

  @Override
  public void step(double lrFactor) {
    double lr = cfg.lr() * lrFactor;
    try (NoGrad ignored = NoGrad.enter()) {
      for (Parameter p : params) {
        INDArray g = p.grad();
        if (g != null) {
          p.data().subi(g.mul(lr)); // g.mul is a per-step temporary (the step's arena frees it)
        }
      }
    }
  }

  @Override
  public double learningRate() {
    return cfg.lr();
  }

  @Override
  public Map<String, INDArray> state() {
    return Map.of();
  }

  @Override
  public void loadState(Map<String, INDArray> state) {}
}
