package dev.roundhouse.plugins.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link ScaledQuantizer#quantizeGroups}: per-tensor current scaling per row group in one pass equals
 * quantising each group on its own (tolerance 0, e4m3 and e5m2, an empty group and an all-zero
 * group included), and differs from one scale over the whole tensor (the groups' magnitudes differ
 * by 1e3, so a shared scale flushes the small group).
 */
class GroupedQuantizeTest {
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
}
