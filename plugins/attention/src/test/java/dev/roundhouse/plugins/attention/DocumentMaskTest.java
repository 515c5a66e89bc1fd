package dev.roundhouse.plugins.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.DocumentIds;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.GradCheck;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Reductions;
import dev.roundhouse.tensor.Tensor;
import dev.roundhouse.testing.DoublePrecision;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Document masking: a packed row of several documents gives every document exactly what it gets when
 * run alone (outputs, input gradients and weight gradients), for each block that supports it; a
 * finite-difference check through the masked path; blocks without support refuse.
 */
@ExtendWith(DoublePrecision.class)
class DocumentMaskTest {
  static final int D = 8;
  static final int H = 2;
  static final int T = 9;
  static final int EOS = 0;
  /** Row 0: documents [0, 4) and [4, 9); row 1: [0, 2), [2, 6), [6, 9). EOS ends each document. */
  static final int[][] SEGMENTS = {{0, 4, 9}, {0, 2, 6, 9}};

  static int[] packedTokens() {
    int[] tokens = new int[2 * T];
    java.util.Arrays.fill(tokens, 7);
    for (int row = 0; row < 2; row++) {
      int[] seg = SEGMENTS[row];
      for (int i = 1; i < seg.length; i++) {
        tokens[row * T + seg[i] - 1] = EOS;
      }
    }
    return tokens;
  }

  static DocumentIds documents() {
    return DocumentIds.fromSeparators(packedTokens(), 2, T, EOS, DataType.DOUBLE);
  }

  static List<Supplier<Attention>> supported() {
    return List.of(
        () -> build(() -> new MhaProvider().build(new MhaConfig(null, null, null, null), TestContexts.context(D, H, T))),
        () -> build(() -> new GqaProvider().build(new MhaConfig(1, null, true, null), TestContexts.context(D, H, T))),
        () -> build(() -> new SwaProvider().build(new SwaConfig(3, null, null, null, 2.0), TestContexts.context(D, H, T))),
        () -> build(() -> new MlaProvider().build(new MlaConfig(4, 6, 3, 2, 5), TestContexts.context(D, H, T))));
  }

  static Attention build(Supplier<Attention> s) {
    Nd4j.getRandom().setSeed(11);
    return s.get();
  }

  @Test
  void idsCountTheSeparatorsBeforeEachPosition() {
    INDArray ids = documents().ids();
    assertEquals("[0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]", java.util.Arrays.toString(ids.getRow(0).toDoubleVector()));
    assertEquals("[0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0]", java.util.Arrays.toString(ids.getRow(1).toDoubleVector()));
  }

  @Test
  void packedDocumentsEqualSeparateRunsInOutputsAndGradients() {
    INDArray x = Nd4j.randn(DataType.DOUBLE, 2, T, D);
    INDArray w = Nd4j.randn(DataType.DOUBLE, 2, T, D); // loss = sum(out * w)
    for (Supplier<Attention> make : supported()) {
      Attention a = make.get();
      assertTrue(a.supportsDocumentMask());
      String name = a.getClass().getSimpleName();

      a.parameters().forEach(Parameter::zeroGrad);
      Parameter xp = new Parameter("x", dev.roundhouse.tensor.ParamRole.OTHER, x.dup());
      Tensor packed = a.forward(xp, documents());
      Reductions.sumAll(Elementwise.mul(packed, Tensor.constant(w))).backward();
      INDArray packedOut = packed.data().dup();
      INDArray packedDx = xp.grad().dup();
      List<INDArray> packedDw = new ArrayList<>();
      a.parameters().forEach(p -> packedDw.add(p.grad().dup()));

      a.parameters().forEach(Parameter::zeroGrad);
      INDArray sepOut = Nd4j.zeros(DataType.DOUBLE, 2, T, D);
      INDArray sepDx = Nd4j.zeros(DataType.DOUBLE, 2, T, D);
      for (int row = 0; row < 2; row++) {
        int[] seg = SEGMENTS[row];
        for (int i = 0; i + 1 < seg.length; i++) {
          var idx = new org.nd4j.linalg.indexing.INDArrayIndex[] {NDArrayIndex.interval(row, row + 1),
              NDArrayIndex.interval(seg[i], seg[i + 1]), NDArrayIndex.all()};
          Parameter part = new Parameter("x", dev.roundhouse.tensor.ParamRole.OTHER, x.get(idx).dup('c'));
          Tensor out = a.forward(part); // the document alone, positions from 0
          Reductions.sumAll(Elementwise.mul(out, Tensor.constant(w.get(idx).dup('c')))).backward();
          sepOut.get(idx).assign(out.data());
          sepDx.get(idx).assign(part.grad());
        }
      }
      assertEquals(0, packedOut.sub(sepOut).amaxNumber().doubleValue(), 1e-12, name + " outputs");
      assertEquals(0, packedDx.sub(sepDx).amaxNumber().doubleValue(), 1e-11, name + " input gradients");
      for (int i = 0; i < packedDw.size(); i++) {
        Parameter p = a.parameters().get(i);
        assertEquals(0, packedDw.get(i).sub(p.grad()).amaxNumber().doubleValue(), 1e-10, name + " " + p.name());
      }
      // and the mask matters: without it the second document reads the first
      INDArray unmasked = a.forward(Tensor.constant(x)).data();
      assertTrue(unmasked.sub(packedOut).amaxNumber().doubleValue() > 1e-6, name + " mask changes nothing");
    }
  }

  @Test
  void finiteDifferenceGradientsThroughTheMaskedPath() {
    for (Supplier<Attention> make : supported()) {
      Attention a = make.get();
      List<Parameter> inputs = new ArrayList<>(GradCheck.leaves(Nd4j.randn(DataType.DOUBLE, 2, T, D)));
      inputs.addAll(a.parameters());
      DocumentIds docs = documents();
      GradCheck.Result r = GradCheck.check(in -> a.forward(in.get(0), docs), inputs);
      assertTrue(r.max() < 1e-6, a.getClass().getSimpleName() + " relative errors " + r.relativeErrors());
    }
  }

  @Test
  void blocksWithoutDocumentMaskingRefuse() {
    List<Attention> unsupported = List.of(
        build(() -> new NsaProvider().build(NsaConfig.defaults(), TestContexts.context(D, H, T))),
        build(() -> new KdaProvider().build(KdaConfig.defaults(), TestContexts.context(D, H, T))));
    for (Attention a : unsupported) {
      assertFalse(a.supportsDocumentMask(), a.getClass().getSimpleName());
      var e = assertThrows(UnsupportedOperationException.class,
          () -> a.forward(Tensor.constant(Nd4j.randn(DataType.DOUBLE, 2, T, D)), documents()));
      assertTrue(e.getMessage().contains("document masking"), e.getMessage());
      // null documents is the plain forward
      assertEquals(2, a.forward(Tensor.constant(Nd4j.randn(DataType.DOUBLE, 2, T, D)), null).size(0));
    }
  }
}
