package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The op scratch ({@link OpScratch}): an op's temporaries do not stay in its block's arena (only
 * its output and what its backward reads do), the scratch learns one block and then allocates
 * nothing natively, and gradients are bit-identical with and without it.
 */
class OpScratchTest {
  private static final int R = 64;
  private static final int D = 32;

  /** Arena bytes a forward op leaves in its block's arena, beyond its output. */
  private static long leftInBlock(Function<Tensor, Tensor> op, INDArray xValue) {
    boolean before = StepArena.perBlockArenas(true);
    try (StepArena arena = StepArena.open("scratch-test")) {
      Tensor x = new Parameter("x", ParamRole.EMBEDDING, xValue.dup());
      StepArena.beginSegment();
      MemoryWorkspace block = Nd4j.getMemoryManager().getCurrentWorkspace();
      long start = block.getThisCycleAllocations();
      Tensor y = op.apply(x);
      assertTrue(Nd4j.getMemoryManager().getCurrentWorkspace() == block, "the block's arena is current again");
      long out = y.data().length() * y.data().dataType().width();
      return block.getThisCycleAllocations() - start - out;
    } finally {
      StepArena.perBlockArenas(before);
    }
  }

  private static Tensor gain() {
    return new Parameter("g", ParamRole.NORM, Nd4j.linspace(0.5, 1.5, D, DataType.DOUBLE));
  }

  @Test
  void rmsNormAndSiluLeaveOnlyWhatBackwardReadsInTheBlockArena() {
    INDArray x = Nd4j.rand(DataType.DOUBLE, R, D).subi(0.5);
    Tensor gain = gain();
    long rowVector = (long) R * Double.BYTES; // r [R, 1], read by the norm's backward
    long full = (long) R * D * Double.BYTES;
    boolean was = OpScratch.enabled(true);
    try {
      assertEquals(rowVector, leftInBlock(t -> Norms.rmsNorm(t, gain, 1e-6), x), "rmsNorm keeps r only");
      assertEquals(0, leftInBlock(Pointwise::silu, x), "silu keeps nothing but its output");
      OpScratch.enabled(false); // as before: x^2, xhat and sigmoid(x) stay in the block's arena
      long norm = leftInBlock(t -> Norms.rmsNorm(t, gain, 1e-6), x);
      assertTrue(norm >= rowVector + 2 * full, "without the scratch x^2 and xhat stay: " + norm);
      assertEquals(full, leftInBlock(Pointwise::silu, x));
    } finally {
      OpScratch.enabled(was);
    }
  }

  @Test
  void scatterAddAndCrossEntropyTemporariesLeaveTheBlockArena() {
    INDArray src = Nd4j.rand(DataType.DOUBLE, 2 * R, D);
    int[] idx = new int[2 * R];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i % R;
    }
    int[] targets = new int[R];
    for (int i = 0; i < R; i++) {
      targets[i] = (i * 7) % D;
    }
    long full = (long) R * D * Double.BYTES;
    boolean was = OpScratch.enabled(true);
    try {
      assertEquals(0, leftInBlock(t -> Index.scatterAddRows(t, idx, R), src), "scatter-add keeps its output only");
      long ce = leftInBlock(t -> Losses.crossEntropy(t, targets, -1), src.get(
          org.nd4j.linalg.indexing.NDArrayIndex.interval(0, R), org.nd4j.linalg.indexing.NDArrayIndex.all()));
      assertTrue(ce < full + 4 * R * Double.BYTES, "cross-entropy keeps probs and row vectors only: " + ce);
      OpScratch.enabled(false);
      assertEquals(2 * full, leftInBlock(t -> Index.scatterAddRows(t, idx, R), src), "before: the pulled rows stay");
    } finally {
      OpScratch.enabled(was);
    }
  }

  @Test
  void causalAttentionKeepsOnlyItsProbabilitiesBesidesItsOutput() {
    int t = 256; // > BlockCausalAttention.DEFAULT_CHUNK: two query chunks of 128
    INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 2, t, 8); // q = k = v: [B=1, H=2, T, hd=8], row-major
    Function<Tensor, Tensor> attention = q -> AttentionOps.causalAttention(q, q, q, 0.35, 0, null);
    long probabilities = (2L * 128 * 128 + 2L * 128 * 256) * Double.BYTES; // P of chunk 0 [2, 128, 128] and 1 [2, 128, 256]
    boolean was = OpScratch.enabled(true);
    try {
      assertEquals(probabilities, leftInBlock(attention, x), "attention keeps P only");
      OpScratch.enabled(false); // before: scaled query rows, key/value prefixes and chunk outputs stayed too
      long before = leftInBlock(attention, x);
      assertTrue(before >= probabilities + (long) t * 2 * 8 * Double.BYTES * 2, "without the scratch: " + before);
    } finally {
      OpScratch.enabled(was);
    }
  }

  @Test
  void theScratchLearnsOneBlockAndGradientsAreBitIdentical() {
    List<double[]> with = gradients(true);
    var ws = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(StepArena.CONFIG, OpScratch.ID);
    assertTrue(ws.getCurrentSize() > 0, "the op scratch has a block after the learning steps");
    long size = ws.getCurrentSize();
    List<double[]> again = gradients(true);
    assertEquals(size, ws.getCurrentSize(), "no reallocation once learned");
    List<double[]> without = gradients(false);
    assertEquals(without.size(), with.size());
    for (int i = 0; i < with.size(); i++) {
      assertArrayEquals(without.get(i), with.get(i), 0.0, "gradient " + i);
      assertArrayEquals(with.get(i), again.get(i), 0.0, "gradient " + i + " of the second run");
    }
  }

  /** Six steps of norm -> silu -> scatter-add -> cross-entropy over two blocks; every gradient. */
  private static List<double[]> gradients(boolean scratch) {
    boolean was = OpScratch.enabled(scratch);
    boolean before = StepArena.perBlockArenas(true);
    try {
      Nd4j.getRandom().setSeed(11);
      Parameter x = new Parameter("x", ParamRole.EMBEDDING, Nd4j.randn(DataType.DOUBLE, R, D));
      Parameter g1 = new Parameter("g1", ParamRole.NORM, Nd4j.linspace(0.5, 1.5, D, DataType.DOUBLE));
      Parameter g2 = new Parameter("g2", ParamRole.NORM, Nd4j.linspace(1.5, 0.5, D, DataType.DOUBLE));
      int[] idx = new int[2 * R];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = (i * 5) % R;
      }
      int[] targets = new int[2 * R];
      for (int i = 0; i < targets.length; i++) {
        targets[i] = (i * 3) % D;
      }
      List<double[]> out = new ArrayList<>();
      for (int step = 0; step < 6; step++) {
        List.of(x, g1, g2).forEach(Parameter::zeroGrad);
        try (StepArena arena = StepArena.open("scratch-grad")) {
          StepArena.beginSegment();
          Tensor h = Pointwise.silu(Norms.rmsNorm(x, g1, 1e-6)); // [R, D]
          Tensor twice = Shapes.concat(0, h, h.mul(0.5)); // [2R, D]
          StepArena.beginSegment();
          Tensor summed = Index.scatterAddRows(twice, idx, R); // [R, D]
          Tensor logits = Norms.rmsNorm(Shapes.concat(0, summed, h), g2, 1e-6); // [2R, D]
          Losses.crossEntropy(logits, targets, -1).backward();
        }
        for (Parameter p : List.of(x, g1, g2)) {
          out.add(p.grad().data().asDouble());
        }
      }
      return out;
    } finally {
      OpScratch.enabled(was);
      StepArena.perBlockArenas(before);
    }
  }
}
