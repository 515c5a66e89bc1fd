package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MatOps.gemm writes into uninitialised memory: inside a reused arena that memory holds the last
 * step's values, NaN included. The products must not depend on it.
 */
class MatOpsUninitializedOutputTest {
  @Test
  void productsIgnoreWhateverTheArenaHeldBefore() {
    INDArray a2 = Nd4j.rand(DataType.FLOAT, 6, 5);
    INDArray b2 = Nd4j.rand(DataType.FLOAT, 5, 4);
    INDArray a3 = Nd4j.rand(DataType.FLOAT, 3, 6, 5);
    INDArray b3 = Nd4j.rand(DataType.FLOAT, 3, 4, 5);
    INDArray want2 = a2.mmul(b2);
    INDArray want3 = Nd4j.create(DataType.FLOAT, 3, 6, 4);
    for (int i = 0; i < 3; i++) {
      want3.slice(i).assign(a3.slice(i).mmul(b3.slice(i).transpose()));
    }
    for (int step = 0; step < 4; step++) {
      try (StepArena arena = StepArena.open("uninit-test")) {
        // fill the arena's memory with NaN, then free it for the products of the same step size
        Nd4j.create(DataType.FLOAT, 4096).assign(Float.NaN);
      }
      try (StepArena arena = StepArena.open("uninit-test")) {
        INDArray got2 = MatOps.gemm(a2, b2, false, false);
        INDArray got3 = MatOps.gemm(a3, b3, false, true);
        assertEquals(0, got2.isNaN().castTo(DataType.INT).sumNumber().intValue(), "2-D product, step " + step);
        assertEquals(0, got3.isNaN().castTo(DataType.INT).sumNumber().intValue(), "batched product, step " + step);
        assertTrue(got2.equalsWithEps(want2, 1e-5), "2-D product, step " + step);
        assertTrue(got3.equalsWithEps(want3, 1e-5), "batched product, step " + step);
      }
    }
  }
}
