package dev.roundhouse.host.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.tensor.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Shard replicas get the primary's values with their own gradients, or an error naming the parameter. */
class SharedParametersTest {
  private final InitScheme init = new InitScheme(0.02, 2, DataType.FLOAT, 7);
  private final Parameter wq = init.scoped("layers.0.attn.").normal("wq", ParamRole.ATTENTION, 8, 4);
  private final SharedParameters shared = new SharedParameters(List.of(wq));

  @Test
  void sharesTheValueNotTheGradient() {
    Parameter r = shared.scoped("layers.0.attn.").residualOutput("wq", ParamRole.ATTENTION, 8, 4);
    assertEquals("layers.0.attn.wq", r.name());
    assertSame(wq.data(), r.data());
    assertNotSame(wq.grad(), r.grad());
    r.grad().assign(1);
    assertEquals(0.0, wq.grad().amaxNumber().doubleValue());
  }

  @Test
  void aDifferentRequestIsRefusedNamingTheParameter() {
    ParameterFactory f = shared.scoped("layers.0.attn.");
    String shape = assertThrows(IllegalStateException.class, () -> f.normal("wq", ParamRole.ATTENTION, 4, 8))
        .getMessage();
    assertTrue(shape.contains("layers.0.attn.wq") && shape.contains("[4, 8]"), shape);
    String role = assertThrows(IllegalStateException.class, () -> f.normal("wq", ParamRole.ROUTER, 8, 4))
        .getMessage();
    assertTrue(role.contains("ROUTER"), role);
    String unknown = assertThrows(IllegalStateException.class, () -> f.constant("wk", ParamRole.ATTENTION, 0, 8, 4))
        .getMessage();
    assertTrue(unknown.contains("layers.0.attn.wk") && unknown.contains("none of that name"), unknown);
  }
}
