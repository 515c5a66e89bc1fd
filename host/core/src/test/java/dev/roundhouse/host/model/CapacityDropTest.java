package dev.roundhouse.host.model;

import static dev.roundhouse.host.model.ModelKit.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Capacity-limited dispatch: each expert keeps its first C assignments by position; drops are counted. */
class CapacityDropTest extends BuiltInRegistryTest {
  @Test
  void capacityIsCeilOfFactorTimesMeanLoadAndAtLeastOne() {
    assertEquals(3, DispatchPlan.capacity(1.0, 12, 4));
    assertEquals(4, DispatchPlan.capacity(1.25, 12, 4)); // ceil(3.75)
    assertEquals(2, DispatchPlan.capacity(1.0, 5, 4)); // ceil(1.25)
    assertEquals(1, DispatchPlan.capacity(0.01, 12, 4));
  }

  @Test
  void skewedPlanKeepsTheFirstCapacityAssignmentsPerExpert() {
    // 6 tokens, top-2: expert 0 gets 6 assignments, expert 1 three, expert 2 two, expert 3 one.
    int[] tokens = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    int[] experts = {0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 2, 0};
    int capacity = DispatchPlan.capacity(1.0, tokens.length, 4);
    assertEquals(3, capacity);
    DispatchPlan plan = DispatchPlan.build(tokens, experts, 4, capacity);
    assertEquals(3, plan.dropped()); // expert 0 drops assignments 6, 8, 11 (tokens 3, 4, 5)
    assertArrayEquals(new long[] {3, 3, 2, 1}, plan.tokensPerExpert());
    assertArrayEquals(new int[] {0, 3, 6, 8, 9}, plan.offsets());
    assertArrayEquals(new int[] {0, 2, 4, 1, 5, 9, 3, 10, 7}, plan.order());
    assertArrayEquals(new int[] {0, 1, 2, 0, 2, 4, 1, 5, 3}, plan.tokens());

    DispatchPlan dropless = DispatchPlan.build(tokens, experts, 4, -1);
    assertEquals(0, dropless.dropped());
    assertArrayEquals(new long[] {6, 3, 2, 1}, dropless.tokensPerExpert());
    assertArrayEquals(new int[] {0, 2, 4, 6, 8, 11, 1, 5, 9, 3, 10, 7}, dropless.order());
  }

  @Test
  void droppedTokensGetOnlyTheSharedExpertOutput() {
    int n = 8;
    int d = 6;
    int numExperts = 4;
    int[] allToExpert0 = new int[n]; // top-1, every token to expert 0: capacity ceil(8 / 4) = 2
    MoeLayer layer = layer(new FixedRouter(numExperts, 1, allToExpert0, 0.5), d, numExperts, 1.0, 11);
    try (StepArena arena = StepArena.open("capacity-test"); NoGrad ng = NoGrad.enter()) {
      Tensor x = Tensor.constant(Nd4j.randn(DataType.DOUBLE, n, d));
      INDArray out = layer.forward(x, n).data();
      assertEquals(6, layer.lastRouting().dropped());
      assertArrayEquals(new long[] {2, 0, 0, 0}, layer.lastRouting().tokensPerExpert());
      INDArray shared = layer.sharedExperts().get(0).forward(x).data(); // [N, d]
      INDArray expert0 = layer.experts().get(0).forward(x).data(); // [N, d]
      INDArray expected = shared.dup();
      for (int t = 0; t < 2; t++) {
        expected.getRow(t).addi(expert0.getRow(t).mul(0.5)); // getRow is a view
      }
      assertClose(expected, out, 1e-12, "capacity-limited output");
      assertTrue(out.getRows(0, 1).sub(shared.getRows(0, 1)).amaxNumber().doubleValue() > 1e-3,
          "kept tokens must carry routed output");
    }
  }

  @Test
  void realRouterWithCapacityCountsEveryDropAndDropsOnlyOverflow() {
    int n = 32;
    int d = 8;
    int numExperts = 4;
    int topK = 2;
    InitScheme init = new InitScheme(0.5, 1, DataType.DOUBLE, 5);
    Router router = ModelKit.softmaxTopK(registry, new RouterContext(d, numExperts, topK, 0, init.scoped("r."), 5));
    MoeLayer layer = layer(router, d, numExperts, 0.75, 5);
    int capacity = DispatchPlan.capacity(0.75, n * topK, numExperts); // 12 < mean load 16
    try (StepArena arena = StepArena.open("capacity-test"); NoGrad ng = NoGrad.enter()) {
      Tensor x = Tensor.constant(Nd4j.randn(DataType.DOUBLE, n, d));
      INDArray out = layer.forward(x, n).data();
      Routing r = layer.lastRouting().routing();
      long[] counts = r.tokensPerExpert();
      int expectedDropped = 0;
      long[] expectedKept = new long[numExperts];
      for (int e = 0; e < numExperts; e++) {
        expectedKept[e] = Math.min(counts[e], capacity);
        expectedDropped += (int) (counts[e] - expectedKept[e]);
      }
      assertTrue(expectedDropped >= n * topK - numExperts * capacity, "pigeonhole: " + expectedDropped);
      assertEquals(expectedDropped, layer.lastRouting().dropped());
      assertArrayEquals(expectedKept, layer.lastRouting().tokensPerExpert());

      // Reference: shared + gate * expert output for the first `capacity` assignments of each expert.
      INDArray expected = layer.sharedExperts().get(0).forward(x).data().dup();
      INDArray gates = r.gates().data();
      int[] seen = new int[numExperts];
      for (int m = 0; m < r.expertIndex().length; m++) {
        int e = r.expertIndex()[m];
        if (seen[e]++ < capacity) {
          int t = r.tokenIndex()[m];
          INDArray y = layer.experts().get(e).forward(Tensor.constant(x.data().getRows(t))).data();
          expected.getRow(t).addi(y.reshape(d).mul(gates.getDouble(m)));
        }
      }
      assertClose(expected, out, 1e-12, "capacity-limited output vs per-assignment reference");
      assertEquals(expectedDropped, Arrays.stream(seen).map(s -> Math.max(0, s - capacity)).sum());
    }
  }

  static MoeLayer layer(Router router, int d, int numExperts, double capacityFactor, long seed) {
    PrecisionPolicy precision = ModelKit.fp32(registry);
    InitScheme init = new InitScheme(0.5, 1, DataType.DOUBLE, seed);
    return new MoeLayer("test", router, init.scoped("moe."), d, numExperts, 5, 1, 7, capacityFactor,
        DispatchPlan.DropPolicy.POSITION, precision);
  }
}
