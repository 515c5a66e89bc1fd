package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpointed segments in the engine: residual blocks with dropout (its seed from a counter that
 * advances per forward, as router noise does) and an auxiliary loss output per block. Gradients
 * with every block checkpointed are bit-identical to the plain graph, with and without per-block
 * arenas, over more steps than the arenas' learning cycles; a re-run that draws differently fails.
 */
class RecomputeTest {
  private static final int BLOCKS = 3;
  private long draws; // advances per dropout draw in a normal forward, like GateNoise's micro counter

  @Test
  void checkpointedGradientsAreBitIdenticalToThePlainGraph() {
    for (boolean perBlock : new boolean[] {true, false}) {
      List<double[]> plain = gradients(false, perBlock);
      List<double[]> ckpt = gradients(true, perBlock);
      assertEquals(plain.size(), ckpt.size());
      for (int i = 0; i < plain.size(); i++) {
        assertArrayEquals(plain.get(i), ckpt.get(i), 0.0, "gradient " + i + (perBlock ? "" : " (step arena)"));
      }
    }
  }

  @Test
  void aReRunThatDrawsMoreOftenFails() {
    List<Parameter> ps = params();
    int[] calls = {0};
    try (StepArena arena = StepArena.open("recompute-test")) {
      Tensor out = Recompute.checkpoint(List.of(ps.get(0)), in -> {
        Tensor y = Pointwise.tanh(in.get(0));
        for (int i = 0; i <= calls[0]; i++) {
          y = Dropout.dropout(y, 0.5, 42 + i);
        }
        calls[0]++;
        return List.of(y);
      }).get(0);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Reductions.sumAll(out).backward());
      assertTrue(e.getMessage().contains("not repeatable"), e.getMessage());
    }
  }

  private List<double[]> gradients(boolean checkpoint, boolean perBlock) {
    boolean before = StepArena.perBlockArenas(perBlock);
    draws = 0;
    try {
      List<Parameter> ps = params();
      List<double[]> out = new ArrayList<>();
      for (int step = 0; step < 6; step++) {
        ps.forEach(Parameter::zeroGrad);
        try (StepArena arena = StepArena.open("recompute-test")) {
          forward(ps, checkpoint).backward();
          if (checkpoint) {
            assertTrue(MemoryPhases.workspaces().containsKey(Recompute.ARENA_ID), "the re-run's arena was used");
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
    Nd4j.getRandom().setSeed(11);
    List<Parameter> ps = new ArrayList<>();
    ps.add(new Parameter("x0", ParamRole.EMBEDDING, Nd4j.randn(DataType.DOUBLE, 4, 6)));
    for (int k = 0; k < BLOCKS; k++) {
      ps.add(new Parameter("w" + k, ParamRole.ATTENTION, Nd4j.randn(DataType.DOUBLE, 6, 6).muli(0.5)));
    }
    return ps;
  }

  /** x [4, 6] through BLOCKS residual blocks with dropout; loss = sum(x) + 0.1 * sum_k mean(h_k^2). */
  private Tensor forward(List<Parameter> ps, boolean checkpoint) {
    Tensor x = Pointwise.tanh(ps.get(0));
    List<Tensor> aux = new ArrayList<>();
    for (int k = 0; k < BLOCKS; k++) {
      StepArena.beginSegment();
      Parameter w = ps.get(k + 1);
      List<Tensor> outs = checkpoint ? Recompute.checkpoint(List.of(x), in -> block(in.get(0), w)) : block(x, w);
      x = outs.get(0);
      aux.add(outs.get(1));
    }
    StepArena.beginSegment();
    Tensor loss = Reductions.sumAll(x);
    for (Tensor a : aux) {
      loss = Elementwise.add(loss, Elementwise.scale(a, 0.1));
    }
    return loss;
  }

  /** [x + dropout(tanh(x w)), mean(h^2)]. */
  private List<Tensor> block(Tensor x, Parameter w) {
    long seed = 1000 + draws;
    if (!Recompute.active()) {
      draws++;
    }
    Tensor h = Dropout.dropout(Pointwise.tanh(MatOps.matmul(x, w)), 0.3, seed);
    return List.of(Elementwise.add(x, h), Reductions.meanAll(Pointwise.square(h)));
  }
}
