package dev.roundhouse.host.model;

import static dev.roundhouse.host.model.ModelKit.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sparse dropless dispatch (gather per expert, one SwiGLU per active expert, gate, scatter-add) equals
 * a dense reference in DOUBLE: every expert on every token, weighted by a dense [N, E] gate matrix
 * that is zero where the token was not routed, plus the shared experts. Outputs and the gradients of
 * x and of every parameter (router, experts, shared) agree to 1e-6.
 */
class DroplessDispatchTest extends BuiltInRegistryTest {
  static final double TOL = 1e-6;
  @ParameterizedTest(name = "N={0} E={1} k={2} shared={3}")
  @CsvSource({
      "24, 6, 2, 1", // every expert busy
      "5, 16, 2, 0", // most experts idle, no shared expert
      "1, 4, 1, 1", // a single active expert (no split)
      "12, 8, 3, 2"})
  void sparseDispatchEqualsDenseReference(int n, int numExperts, int topK, int numShared) {
    int d = 8;
    long seed = 7L * n + numExperts;
    PrecisionPolicy precision = ModelKit.fp32(registry);
    InitScheme init = new InitScheme(0.5, 1, DataType.DOUBLE, seed);
    Router router = ModelKit.softmaxTopK(registry,
        new RouterContext(d, numExperts, topK, 0, init.scoped("router."), seed));
    MoeLayer layer = new MoeLayer("softmax-topk", router, init.scoped("moe."), d, numExperts, 6, numShared, 5, null,
        DispatchPlan.DropPolicy.POSITION,
        precision);
    Nd4j.getRandom().setSeed(seed);
    Parameter x = new Parameter("x", ParamRole.OTHER, Nd4j.randn(DataType.DOUBLE, n, d)); // [N, d]
    INDArray r = Nd4j.randn(DataType.DOUBLE, n, d); // fixed projection of the output to a scalar
    List<Parameter> leaves = new ArrayList<>(layer.parameters());
    leaves.add(x);

    try (StepArena arena = StepArena.open("dispatch-test")) {
      Tensor sparse = layer.forward(x, n);
      MoeLayer.LayerRouting routing = layer.lastRouting();
      assertEquals(0, routing.dropped());
      assertEquals((long) n * topK, java.util.Arrays.stream(routing.tokensPerExpert()).sum());
      INDArray sparseOut = StepArena.outside(() -> sparse.data().dup());
      List<INDArray> sparseGrads = backward(sparse, r, leaves);

      Tensor dense = denseReference(layer, router, x, n, numExperts);
      assertClose(dense.data(), sparseOut, TOL, "output");
      List<INDArray> denseGrads = backward(dense, r, leaves);
      for (int i = 0; i < leaves.size(); i++) {
        assertClose(denseGrads.get(i), sparseGrads.get(i), TOL, "gradient of " + leaves.get(i).name());
      }

      // Not vacuous: the routed part matters, and routed experts get gradients exactly when used.
      Tensor sharedOnly = sharedOnly(layer, x);
      double routedPart = sharedOnly == null ? sparseOut.amaxNumber().doubleValue()
          : sparseOut.sub(sharedOnly.data()).amaxNumber().doubleValue();
      assertTrue(routedPart > 1e-3, "routed contribution too small to test: " + routedPart);
      assertTrue(sparseGrads.get(0).amaxNumber().doubleValue() > 0, "router weight got no gradient");
      for (int e = 0; e < numExperts; e++) {
        double g = gradOf(layer.experts().get(e).parameters().get(0), leaves, sparseGrads).amaxNumber().doubleValue();
        assertEquals(routing.tokensPerExpert()[e] > 0, g > 0, "expert " + e + " gradient " + g);
      }
    }
  }

  /** sum_e G[:, e] * expert_e(x) + sum_s shared_s(x), G the dense [N, E] gate matrix. */
  static Tensor denseReference(MoeLayer layer, Router router, Tensor x, int n, int numExperts) {
    Routing r = router.route(x, n);
    int m = r.tokenIndex().length;
    INDArray tokenOneHot = Nd4j.zeros(DataType.DOUBLE, n, m); // [N, M]
    INDArray expertOneHot = Nd4j.zeros(DataType.DOUBLE, m, numExperts); // [M, E]
    for (int i = 0; i < m; i++) {
      tokenOneHot.putScalar(r.tokenIndex()[i], i, 1.0);
      expertOneHot.putScalar(i, r.expertIndex()[i], 1.0);
    }
    Tensor gatesPerAssignment = Elementwise.mul(Shapes.reshape(r.gates(), m, 1), Tensor.constant(expertOneHot));
    Tensor gates = MatOps.matmul(Tensor.constant(tokenOneHot), gatesPerAssignment); // [N, E], 0 if not routed
    Tensor out = null;
    for (int e = 0; e < numExperts; e++) {
      Tensor ye = layer.experts().get(e).forward(x); // [N, d], every token
      Tensor term = Elementwise.mul(ye, Shapes.slice(gates, 1, e, e + 1));
      out = out == null ? term : Elementwise.add(out, term);
    }
    Tensor shared = sharedOnly(layer, x);
    return shared == null ? out : Elementwise.add(out, shared);
  }

  static Tensor sharedOnly(MoeLayer layer, Tensor x) {
    Tensor out = null;
    for (SwiGlu s : layer.sharedExperts()) {
      Tensor y = s.forward(x);
      out = out == null ? y : Elementwise.add(out, y);
    }
    return out;
  }

  /** Backward of sum(out * r); returns copies of every leaf's gradient and zeroes them. */
  static List<INDArray> backward(Tensor out, INDArray r, List<Parameter> leaves) {
    leaves.forEach(Parameter::zeroGrad);
    Reductions.sumAll(Elementwise.mul(out, Tensor.constant(r))).backward();
    List<INDArray> grads = new ArrayList<>();
    for (Parameter p : leaves) {
      grads.add(StepArena.outside(() -> p.grad().dup()));
      p.zeroGrad();
    }
    return grads;
  }

  static INDArray gradOf(Parameter p, List<Parameter> leaves, List<INDArray> grads) {
    return grads.get(leaves.indexOf(p));
  }
}
