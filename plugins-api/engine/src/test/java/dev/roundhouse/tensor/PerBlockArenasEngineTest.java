package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-block arenas in the engine: a residual stack of "blocks" (matmul, tanh, an unstack/stack pair
 * that writes its input's gradient in place, a residual add) with an auxiliary loss per block that
 * only the head consumes (a gradient crossing every later block), trained over more steps than the
 * arenas' learning cycles. Gradients are bit-identical with and without per-block arenas; a
 * forward whose backward never runs leaves nothing open once its arena closes.
 */
class PerBlockArenasEngineTest {
  private static final int BLOCKS = 3;

  @Test
  void gradientsAreBitIdenticalWithAndWithoutPerBlockArenas() {
    List<double[]> with = gradients(true);
    List<double[]> without = gradients(false);
    assertEquals(without.size(), with.size());
    for (int i = 0; i < with.size(); i++) {
      assertArrayEquals(without.get(i), with.get(i), 0.0, "gradient " + i);
    }
  }

  @Test
  void aForwardWithoutBackwardClosesWithItsArena() {
    boolean before = StepArena.perBlockArenas(true);
    try {
      List<Parameter> ps = params();
      for (int step = 0; step < 5; step++) {
        try (StepArena arena = StepArena.open("noback")) {
          Tensor loss = forward(ps);
          assertTrue(loss.requiresGrad());
        }
        assertTrue(StepArena.current() == null && !ArenaSegments.anyOpen(), "nothing left open");
      }
      try (StepArena arena = StepArena.open("noback")) {
        forward(ps).backward();
        assertEquals(18.0, Nd4j.ones(DataType.DOUBLE, 3, 6).sumNumber().doubleValue(), "the arena after backward");
      }
    } finally {
      StepArena.perBlockArenas(before);
    }
  }

  private static List<double[]> gradients(boolean perBlock) {
    boolean before = StepArena.perBlockArenas(perBlock);
    try {
      List<Parameter> ps = params();
      List<double[]> out = new ArrayList<>();
      for (int step = 0; step < 6; step++) { // past the 3 learning cycles: blocks reused
        ps.forEach(Parameter::zeroGrad);
        try (StepArena arena = StepArena.open("engine-test")) {
          forward(ps).backward();
          if (perBlock) {
            assertTrue(MemoryPhases.workspaces().containsKey("engine-test/block" + BLOCKS), "head arena used");
          }
        }
        for (Parameter p : ps) {
          out.add(p.grad().data().asDouble());
        }
      }
      return out;
    } finally {
      StepArena.perBlockArenas(before);
    }
  }

  private static List<Parameter> params() {
    Nd4j.getRandom().setSeed(7);
    List<Parameter> ps = new ArrayList<>();
    ps.add(new Parameter("x0", ParamRole.EMBEDDING, Nd4j.randn(DataType.DOUBLE, 4, 6)));
    for (int k = 0; k < BLOCKS; k++) {
      ps.add(new Parameter("w" + k, ParamRole.ATTENTION, Nd4j.randn(DataType.DOUBLE, 6, 6).muli(0.5)));
    }
    return ps;
  }

  /** x [4, 6] through BLOCKS residual blocks; loss = sum(x) + 0.1 * sum_k mean(h_k^2). */
  private static Tensor forward(List<Parameter> ps) {
    Tensor x = Pointwise.tanh(ps.get(0)); // before the first block: the step arena itself
    List<Tensor> aux = new ArrayList<>();
    for (int k = 0; k < BLOCKS; k++) {
      StepArena.beginSegment();
      Tensor h = Pointwise.tanh(MatOps.matmul(x, ps.get(k + 1)));
      h = Unstack.stack(Unstack.unstack(h)); // in-place gradient accumulation into h's gradient
      aux.add(Reductions.meanAll(Pointwise.square(h)));
      x = Elementwise.add(x, h);
    }
    StepArena.beginSegment();
    Tensor loss = Reductions.sumAll(x);
    for (Tensor a : aux) {
      loss = Elementwise.add(loss, Elementwise.scale(a, 0.1));
    }
    return loss;
  }
}
