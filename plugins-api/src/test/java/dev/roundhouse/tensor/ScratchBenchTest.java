package dev.roundhouse.tensor;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class ScratchBenchTest {
  interface R { void run(); }
  static void time(String name, R r) {
    for (int i = 0; i < 3; i++) r.run();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 7; i++) { long t = System.nanoTime(); r.run(); best = Math.min(best, System.nanoTime() - t); }
    System.out.printf("BENCH %-30s %8.2f ms%n", name, best / 1e6);
  }
  @Test
  void bench() {
    INDArray x = Nd4j.randn(DataType.FLOAT, 4096, 16);
    time("top_k op", () -> Nd4j.exec(DynamicCustomOp.builder("top_k").addInputs(x).addIntegerArguments(2).addBooleanArguments(true).build()));
    time("argmax x2", () -> { INDArray w = x.dup(); for (int j = 0; j < 2; j++) { INDArray idx = Nd4j.argMax(w, 1); INDArray oh = Nd4j.exec(DynamicCustomOp.builder("onehot").addInputs(idx).addIntegerArguments(1, 16).addFloatingPointArguments(1.0, 0.0).build())[0]; INDArray v = w.mul(oh).sum(1); w.subi(oh.muli(1e9)); } });
    time("toFloat+java", () -> { float[] f = x.data().asFloat(); });
    INDArray src = Nd4j.randn(DataType.FLOAT, 8192, 256);
    int[] idx = new int[8192]; for (int i = 0; i < idx.length; i++) idx[i] = i / 2;
    INDArray idxA = Nd4j.createFromArray(idx);
    time("segment_sum 8192x256", () -> Nd4j.exec(new UnsortedSegmentSum(src, idxA, 4096)));
    int[] perm = new int[8192]; for (int i = 0; i < 8192; i++) perm[i] = (i * 37) % 8192;
    time("pullRows 8192x256", () -> Nd4j.pullRows(src, 1, perm));
    time("pullRows+sum k2", () -> Nd4j.pullRows(src, 1, perm).reshape(4096, 2, 256).sum(1));
    time("gather op 8192x256", () -> Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(src, Nd4j.createFromArray(perm)).addIntegerArguments(0).build()));
    INDArray s = Nd4j.randn(DataType.FLOAT, 64, 256, 256);
    time("softmax op 64x256x256", () -> Nd4j.exec(new SoftMax(s.dup(), s.dup(), -1)));
    time("dup only", () -> s.dup());
    time("manual softmax", () -> { INDArray a = s.dup(); INDArray m = a.max(true, 2); a.subi(m); Transforms.exp(a, false); a.divi(a.sum(true, 2)); });
    INDArray a = Nd4j.randn(DataType.FLOAT, 4096, 256); INDArray w = Nd4j.randn(DataType.FLOAT, 768, 256);
    time("gemm 4096x256x768", () -> MatOps.gemm(a, w, false, true));
  }
}
