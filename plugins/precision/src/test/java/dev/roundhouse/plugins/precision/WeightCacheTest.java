package dev.roundhouse.plugins.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.tensor.Bf16;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight copies made once per optimizer step: shared by passes and threads inside a step, equal to
 * the uncached rounding, dropped by afterBackward, never cached outside a step arena.
 */
class WeightCacheTest {
  private static final PrecisionContext CTX = new PrecisionContext(2, 1);

  private static List<PrecisionPolicy> policies() {
    return List.of(new Bf16MixedProvider().build(new Bf16MixedConfig(List.of("routed_expert")), CTX),
        new Fp8Provider().build(new Fp8Config(null, null, null), CTX),
        new Fp8Provider().build(new Fp8Config(null, "block", 16), CTX),
        new Nvfp4Provider().build(new Nvfp4Config(null), CTX),
        new Fp16DynamicScaleProvider().build(new Fp16DynamicScaleConfig(List.of("routed_expert"), null, null, null, null, null), CTX));
  }

  /** The uncached value each policy computes with for weight w. */
  private static INDArray expected(PrecisionPolicy p, INDArray w) {
    if (p instanceof Bf16ComputePolicy) {
      return Bf16.convert(w, DataType.BFLOAT16);
    }
    return p.weight(new Parameter("fresh", ParamRole.ROUTED_EXPERT, w.dup())).data(); // outside an arena: uncached
  }

  @Test
  void oneCopyPerStepSharedByPassesAndThreadsDroppedAfterBackward() throws Exception {
    for (PrecisionPolicy p : policies()) {
      Parameter w = new Parameter("w", ParamRole.ROUTED_EXPERT, Nd4j.randn(DataType.FLOAT, 32, 48));
      INDArray first;
      try (StepArena arena = StepArena.open("test-step")) {
        first = p.weight(w).data();
        assertSame(first, p.weight(w).data(), p.describe().toString()); // second pass of the step: same copy
        INDArray other = CompletableFuture.supplyAsync(() -> {
          try (StepArena shard = StepArena.open("test-shard")) {
            return p.weight(w).data();
          }
        }).get();
        assertSame(first, other); // another shard's thread shares it
      }
      assertEquals(expected(p, w.data()), first); // outside the arena (inside, "fresh" would get a copy too)
      w.addGrad(Nd4j.zeros(DataType.FLOAT, 32, 48)); // a finite gradient (fp16's afterBackward checks it)
      w.data().addi(0.5); // the optimizer step ...
      p.afterBackward(List.of(w)); // ... follows afterBackward, which drops the copies
      INDArray next;
      try (StepArena arena = StepArena.open("test-step")) {
        next = p.weight(w).data();
      }
      assertEquals(expected(p, w.data()), next); // the copy follows the optimizer step ...
      assertSame(first, next, p.describe().toString()); // ... refilled in its own buffer: a step allocates no new copies
    }
  }

  @Test
  void outsideAStepArenaNothingIsCached() {
    for (PrecisionPolicy p : policies()) {
      Parameter w = new Parameter("w", ParamRole.ROUTED_EXPERT, Nd4j.randn(DataType.FLOAT, 8, 16));
      Tensor a = p.weight(w);
      w.data().muli(3.0); // e.g. a finite-difference probe between passes
      assertEquals(expected(p, w.data()), p.weight(w).data());
      assertNotSame(a.data(), p.weight(w).data());
    }
  }

  /**
   * Several weights of one shape (fp8 and nvfp4 refill them stacked): every copy equals its own
   * uncached rounding at every step, and from the second refill on (the copies then sit side by
   * side in one buffer) each copy is refilled where it is.
   */
  @Test
  void stackedRefillsGiveEachWeightItsOwnValueAndSettleInPlace() {
    for (PrecisionPolicy p : policies()) {
      List<Parameter> ws = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ws.add(new Parameter("w" + i, ParamRole.ROUTED_EXPERT, Nd4j.randn(DataType.FLOAT, 16, 32).muli(1 + i)));
      }
      INDArray[] previous = new INDArray[ws.size()];
      for (int step = 1; step <= 3; step++) {
        INDArray[] got = new INDArray[ws.size()];
        try (StepArena arena = StepArena.open("test-step")) {
          for (int i = 0; i < ws.size(); i++) {
            got[i] = p.weight(ws.get(i)).data();
          }
        }
        for (int i = 0; i < ws.size(); i++) {
          assertArrayEquals(expected(p, ws.get(i).data()).castTo(DataType.FLOAT).ravel().toFloatVector(),
              got[i].castTo(DataType.FLOAT).ravel().toFloatVector(), 0f, p.describe().get("routed_expert") + " w" + i + " step " + step); // bit for bit
          if (step == 3) {
            assertSame(previous[i], got[i], "w" + i);
          }
        }
        previous = got;
        for (Parameter w : ws) {
          w.addGrad(Nd4j.zeros(DataType.FLOAT, 16, 32));
          w.data().addi(0.25);
        }
        p.afterBackward(ws);
      }
    }
  }
}
