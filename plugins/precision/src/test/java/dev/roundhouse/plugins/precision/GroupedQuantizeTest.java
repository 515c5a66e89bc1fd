package dev.roundhouse.plugins.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link ScaledQuantizer#quantizeEach} (several tensors, one scale each, one pass) equals quantising
 * each tensor, and fp8's weight copies refilled together equal the per-weight rounding.
 * {@link ScaledQuantizer#quantizeGroups}: per-tensor current scaling per row group in one pass equals
 * quantising each group on its own (tolerance 0, e4m3 and e5m2, an empty group and an all-zero
 * group included), and differs from one scale over the whole tensor (the groups' magnitudes differ
 * by 1e3, so a shared scale flushes the small group).
 */
class GroupedQuantizeTest {
  @Test
  void stackedTensorScalingEqualsQuantisingEachTensor() {
    Nd4j.getRandom().setSeed(4);
    List<INDArray> xs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      xs.add(Nd4j.randn(DataType.FLOAT, 12, 20).muli(Math.pow(10, i - 2)));
    }
    xs.get(3).assign(0);
    List<INDArray> q = ScaledQuantizer.quantizeEach(xs, NumberFormat.E4M3);
    for (int i = 0; i < xs.size(); i++) {
      INDArray expected = ScaledQuantizer.quantize(xs.get(i), NumberFormat.E4M3, ScaledQuantizer.Granularity.TENSOR, 128);
      assertArrayEquals(expected.ravel().toFloatVector(), q.get(i).ravel().toFloatVector(), 0f, "tensor " + i);
    }
  }

  /**
   * fp8 (tensor scaling) refills all stale same-shaped weight copies of a step in stacked passes
   * (four [256, 512] weights: two chunks of two):
   * each copy equals the uncached per-weight rounding, in the step after the weights changed too.
   */
  @Test
  void fp8WeightCopiesRefilledTogetherEqualThePerWeightRounding() {
    PrecisionPolicy fp8 = new Fp8Provider().build(new Fp8Config(null, null, null), new PrecisionContext(1, 1));
    Nd4j.getRandom().setSeed(5);
    List<Parameter> ws = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ws.add(new Parameter("w" + i, ParamRole.ROUTED_EXPERT, Nd4j.randn(DataType.FLOAT, 256, 512).muli(i + 1)));
    }
    ws.add(new Parameter("other shape", ParamRole.ROUTED_EXPERT, Nd4j.randn(DataType.FLOAT, 512, 256)));
    for (int step = 0; step < 3; step++) {
      try (StepArena arena = StepArena.open("test-step")) {
        for (Parameter w : ws) {
          INDArray uncached = ScaledQuantizer.quantize(w.data(), NumberFormat.E4M3, ScaledQuantizer.Granularity.TENSOR, 128);
          assertArrayEquals(uncached.ravel().toFloatVector(), fp8.weight(w).data().ravel().toFloatVector(), 0f,
              w.name() + " step " + step);
        }
      }
      fp8.afterBackward(ws);
      for (int i = 0; i < ws.size(); i++) {
        ws.get(i).data().muli(1.5 + i); // the optimizer step changes every weight
      }
    }
  }

  /**
   * Two shard threads ask for the copies of eight same-shaped weights (four chunks of two) at the
   * same time, in opposite orders, over three steps: they share the refill's chunks out, and every
   * copy each thread gets equals the uncached per-weight rounding.
   */
  @Test
  void concurrentShardsShareTheRefillAndGetTheSameCopies() throws Exception {
    PrecisionPolicy fp8 = new Fp8Provider().build(new Fp8Config(null, null, null), new PrecisionContext(2, 1));
    Nd4j.getRandom().setSeed(6);
    List<Parameter> ws = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ws.add(new Parameter("w" + i, ParamRole.ROUTED_EXPERT, Nd4j.randn(DataType.FLOAT, 256, 512).muli(i + 1)));
    }
    for (int step = 0; step < 3; step++) {
      List<float[]> want = new ArrayList<>();
      for (Parameter w : ws) {
        want.add(ScaledQuantizer.quantize(w.data(), NumberFormat.E4M3, ScaledQuantizer.Granularity.TENSOR, 128)
            .ravel().toFloatVector());
      }
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
      List<java.util.concurrent.Future<List<float[]>>> got = new ArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        for (int t = 0; t < 2; t++) {
          boolean reverse = t == 1;
          got.add(pool.submit(() -> {
            float[][] mine = new float[ws.size()][];
            try (StepArena arena = StepArena.open("test-shard")) {
              start.await();
              for (int k = 0; k < ws.size(); k++) {
                int i = reverse ? ws.size() - 1 - k : k;
                mine[i] = fp8.weight(ws.get(i)).data().ravel().toFloatVector();
              }
            }
            return Arrays.asList(mine);
          }));
        }
        for (int t = 0; t < 2; t++) {
          List<float[]> copies = got.get(t).get(60, java.util.concurrent.TimeUnit.SECONDS);
          for (int i = 0; i < ws.size(); i++) {
            assertArrayEquals(want.get(i), copies.get(i), 0f, "thread " + t + " w" + i + " step " + step);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      fp8.afterBackward(ws);
      for (int i = 0; i < ws.size(); i++) {
        ws.get(i).data().muli(0.5 + i); // the optimizer step changes every weight
      }
    }
  }

  /** nvfp4 per row group in one set of passes equals nvfp4 of each group (an empty and an all-zero group included). */
  @Test
  void nvfp4PerGroupInOnePassEqualsEachGroup() {
    Nd4j.getRandom().setSeed(8);
    INDArray x = Nd4j.randn(DataType.FLOAT, 40, 64); // [40, 64]
    int[] offsets = {0, 7, 7, 19, 25, 40};
    x.get(NDArrayIndex.interval(19, 25), NDArrayIndex.all()).assign(0);
    x.get(NDArrayIndex.interval(25, 40), NDArrayIndex.all()).muli(1e-3);
    INDArray all = ScaledQuantizer.nvfp4Groups(x, offsets);
    for (int g = 0; g + 1 < offsets.length; g++) {
      if (offsets[g + 1] > offsets[g]) {
        INDArray rows = x.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all()).dup();
        INDArray want = ScaledQuantizer.nvfp4(rows);
        INDArray got = all.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all());
        assertArrayEquals(want.ravel().toFloatVector(), got.dup().ravel().toFloatVector(), 0f, "group " + g);
      }
    }
  }

  @Test
  void oneScalePerGroupEqualsQuantisingEachGroup() {
    Nd4j.getRandom().setSeed(3);
    int[] offsets = {0, 5, 5, 12, 20, 23};
    INDArray x = Nd4j.randn(DataType.FLOAT, 23, 16);
    x.get(NDArrayIndex.interval(5, 12), NDArrayIndex.all()).muli(1e-3);
    x.get(NDArrayIndex.interval(20, 23), NDArrayIndex.all()).assign(0);
    for (NumberFormat f : new NumberFormat[] {NumberFormat.E4M3, NumberFormat.E5M2}) {
      INDArray grouped = ScaledQuantizer.quantizeGroups(x, f, offsets);
      INDArray expected = Nd4j.createUninitialized(DataType.FLOAT, 23, 16);
      for (int g = 0; g + 1 < offsets.length; g++) {
        if (offsets[g + 1] > offsets[g]) {
          INDArray rows = x.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all()).dup();
          expected.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all())
              .assign(ScaledQuantizer.quantize(rows, f, ScaledQuantizer.Granularity.TENSOR, 128));
        }
      }
      assertArrayEquals(expected.ravel().toFloatVector(), grouped.ravel().toFloatVector(), 0f, f.name());
      INDArray whole = ScaledQuantizer.quantize(x, f, ScaledQuantizer.Granularity.TENSOR, 128);
      assertFalse(Arrays.equals(whole.ravel().toFloatVector(), grouped.ravel().toFloatVector()), "not vacuous: " + f.name());
    }
  }

  /** A NaN in one group: that group holds NaN, every other group keeps its own scale and values. */
  @Test
  void aNanInOneGroupLeavesTheOtherGroupsAlone() {
    Nd4j.getRandom().setSeed(5);
    int[] offsets = {0, 6, 13, 20};
    INDArray x = Nd4j.randn(DataType.FLOAT, 20, 16);
    x.putScalar(8, 3, Float.NaN);
    for (NumberFormat f : new NumberFormat[] {NumberFormat.E4M3, NumberFormat.E5M2}) {
      INDArray grouped = ScaledQuantizer.quantizeGroups(x, f, offsets);
      for (int g = 0; g + 1 < offsets.length; g++) {
        INDArray rows = x.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all()).dup();
        INDArray got = grouped.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all()).dup();
        if (g == 1) {
          assertTrue(Double.isNaN(got.getDouble(2, 3)), f.name());
        } else {
          INDArray want = ScaledQuantizer.quantize(rows, f, ScaledQuantizer.Granularity.TENSOR, 128);
          assertArrayEquals(want.ravel().toFloatVector(), got.ravel().toFloatVector(), 0f, f.name() + " group " + g);
        }
      }
    }
  }
}
