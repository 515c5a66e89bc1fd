package dev.roundhouse.tensor;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** JUnit extension: the test class runs with DOUBLE as ND4J's default dtype and a fixed seed. */
public class DoublePrecision implements BeforeAllCallback, AfterAllCallback {
  private DataType before;

  @Override
  public void beforeAll(ExtensionContext context) {
    before = Nd4j.dataType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(42);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Nd4j.setDefaultDataTypes(before, before);
  }
}
