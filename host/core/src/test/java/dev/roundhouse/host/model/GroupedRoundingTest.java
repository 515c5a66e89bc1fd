package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A MoE layer under each low-precision policy gives the same output and the same gradients of x
 * and of every parameter with the routed experts as grouped products (the activations rounded
 * through {@code activationGroups}: one cast over all routed rows for bf16-mixed, fp16 and fp8
 * block scales; one scale per expert block and one rounding pass for fp8 tensor scaling; split /
 * per-block / concat for nvfp4) as with one SwiGLU per expert block (rounded per block):
 * tolerance 0, FLOAT, real plugin policies.
 */
class GroupedRoundingTest extends BuiltInRegistryTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bf16-mixed", "fp16-dynamic-scale", "fp8-block", "fp8", "nvfp4"})
  void groupedEqualsPerExpertBlocks(String type) {
    PrecisionPolicy precision = type.equals("fp8-block") ? GroupedExpertsTest.fp8Block() : GroupedExpertsTest.policy(type);
    int n = 96;
    int d = 32;
    int numExperts = 8;
    long seed = 5;
    InitScheme init = new InitScheme(0.5, 1, DataType.FLOAT, seed);
    Router router = ModelKit.softmaxTopK(registry, new RouterContext(d, numExperts, 2, 0, init.scoped("router."), seed));
    MoeLayer layer = new MoeLayer("softmax-topk", router, init.scoped("moe."), d, numExperts, 16, 1, 16, null,
        DispatchPlan.DropPolicy.POSITION, precision);
    Nd4j.getRandom().setSeed(seed);
    Parameter x = new Parameter("x", ParamRole.OTHER, Nd4j.randn(DataType.FLOAT, n, d)); // [N, d]
    INDArray r = Nd4j.randn(DataType.FLOAT, n, d);
    List<Parameter> leaves = new ArrayList<>(layer.parameters());
    leaves.add(x);

    try (StepArena arena = StepArena.open("grouped-rounding-test")) {
      layer.groupedExperts(true);
      Tensor grouped = layer.forward(x, n);
      INDArray groupedOut = StepArena.outside(() -> grouped.data().dup());
      List<INDArray> groupedGrads = DroplessDispatchTest.backward(grouped, r, leaves);

      layer.groupedExperts(false);
      Tensor perExpert = layer.forward(x, n);
      INDArray perExpertOut = StepArena.outside(() -> perExpert.data().dup());
      List<INDArray> perExpertGrads = DroplessDispatchTest.backward(perExpert, r, leaves);
      layer.groupedExperts(true);

      assertEquals(DataType.FLOAT, groupedOut.dataType());
      assertArrayEquals(perExpertOut.ravel().toFloatVector(), groupedOut.ravel().toFloatVector(), 0f, "output");
      int active = 0;
      for (int i = 0; i < leaves.size(); i++) {
        assertArrayEquals(perExpertGrads.get(i).ravel().toFloatVector(), groupedGrads.get(i).ravel().toFloatVector(), 0f,
            "gradient of " + leaves.get(i).name());
        if (groupedGrads.get(i).amaxNumber().doubleValue() > 0) {
          active++;
        }
      }
      assertTrue(active > numExperts, "most parameters got a gradient: " + active + " of " + leaves.size());
      assertTrue(GroupedExperts.applies(precision), type + " takes the grouped form");
    }
  }
}
