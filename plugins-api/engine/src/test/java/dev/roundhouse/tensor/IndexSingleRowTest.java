package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.factory.Nd4j;

/** Scatter-add of a single row (libnd4j's segment sum treats a [1, d] input as a flat vector). */
@ExtendWith(DoublePrecision.class)
class IndexSingleRowTest {
  @Test
  void scatterAddOfOneRowWritesTheWholeRow() {
    Tensor src = Tensor.constant(Nd4j.createFromArray(new double[][] {{1, 2, 3, 4, 5}}));
    Tensor out = Index.scatterAddRows(src, new int[] {2}, 4);
    assertArrayEquals(new long[] {4, 5}, out.shape());
    assertEquals(0, out.data().getRow(2).sub(src.data().getRow(0)).amaxNumber().doubleValue(), 0);
    assertEquals(15, out.data().sumNumber().doubleValue(), 0);
  }

  @Test
  void gatherOfOneRowHasTheRightGradient() {
    var in = GradCheck.leaves(Nd4j.randn(3, 4));
    GradCheck.Result r = GradCheck.check(x -> Index.gatherRows(x.get(0), new int[] {1}), in);
    assertTrue(r.max() < 1e-6, "relative errors " + r.relativeErrors());
    var src = GradCheck.leaves(Nd4j.randn(1, 4));
    r = GradCheck.check(x -> Index.scatterAddRows(x.get(0), new int[] {2}, 3), src);
    assertTrue(r.max() < 1e-6, "relative errors " + r.relativeErrors());
  }
}
