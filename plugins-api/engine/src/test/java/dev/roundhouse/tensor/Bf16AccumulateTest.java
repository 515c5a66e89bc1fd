package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A bf16 activation read by two products (as q/k/v or gate/up read one cast): the second input
 * gradient is added into the first in one mixed-type add of its bf16 result; the sum equals
 * widening both bf16 input gradients and adding them in fp32 (tolerance 0), and the source's
 * gradient (handed over by the cast, not copied) is FLOAT.
 */
class Bf16AccumulateTest {
  @Test
  void secondInputGradientAddsItsBf16ResultExactly() {
    Nd4j.getRandom().setSeed(21);
    INDArray x0 = Nd4j.randn(DataType.FLOAT, 40, 24);
    INDArray w1 = Nd4j.randn(DataType.FLOAT, 16, 24);
    INDArray w2 = Nd4j.randn(DataType.FLOAT, 8, 24);
    INDArray g1 = Nd4j.randn(DataType.FLOAT, 40, 16);
    INDArray g2 = Nd4j.randn(DataType.FLOAT, 40, 8);

    Parameter x = new Parameter("x", ParamRole.OTHER, x0.dup());
    Tensor h = x.mul(1.0); // a plain non-leaf tensor, as a norm's output
    Tensor x16 = Bf16.cast(h);
    Tensor w1c = Tensor.constant(Bf16.convert(w1, DataType.BFLOAT16));
    Tensor w2c = Tensor.constant(Bf16.convert(w2, DataType.BFLOAT16));
    Tensor y1 = MatOps.linearT(x16, w1c); // [40, 16]
    Tensor y2 = MatOps.linearT(x16, w2c); // [40, 8]
    Tensor loss = Reductions.sumAll(Elementwise.add(
        Reductions.sum(Elementwise.mul(y1, Tensor.constant(g1)), true, 1),
        Reductions.sum(Elementwise.mul(y2, Tensor.constant(g2)), true, 1)));
    loss.backward();

    INDArray d1 = Bf16.product(g1, w1c.data(), false, false, 40, 24); // widened bf16 g1 W1
    INDArray d2 = Bf16.product(g2, w2c.data(), false, false, 40, 24); // widened bf16 g2 W2
    INDArray expected = d1.add(d2);
    assertEquals(DataType.FLOAT, x.grad().dataType());
    assertArrayEquals(expected.ravel().toFloatVector(), x.grad().ravel().toFloatVector(), 0f);
    INDArray other = d2.add(d1);
    assertArrayEquals(other.ravel().toFloatVector(), x.grad().ravel().toFloatVector(), 0f);
  }
}
