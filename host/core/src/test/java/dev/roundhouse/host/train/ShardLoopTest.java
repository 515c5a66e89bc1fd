package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.ParallelLoop;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The host's parallel loop: each index once, on several threads, errors by index; optimizers unchanged by it. */
class ShardLoopTest {
  @Test
  void everyIndexRunsOnceOnSeveralThreads() {
    AtomicIntegerArray hits = new AtomicIntegerArray(200);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    ShardLoop.of(2).forEach(200, i -> {
      hits.incrementAndGet(i);
      threads.add(Thread.currentThread().getName());
      Nd4j.rand(DataType.FLOAT, 64, 64).mmul(Nd4j.rand(DataType.FLOAT, 64, 64)); // some work to share
    });
    for (int i = 0; i < 200; i++) {
      assertEquals(1, hits.get(i), "index " + i);
    }
    assertTrue(threads.size() == 2 && threads.stream().anyMatch(t -> t.startsWith("roundhouse-shard-")), threads.toString());
    assertTrue(ShardLoop.of(1) == ParallelLoop.SEQUENTIAL);
  }

  @Test
  void theLowestFailingIndexIsRethrownAfterAllRan() {
    AtomicIntegerArray hits = new AtomicIntegerArray(50);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShardLoop.of(2).forEach(50, i -> {
      hits.incrementAndGet(i);
      if (i == 7 || i == 31) {
        throw new IllegalStateException("iteration " + i);
      }
    }));
    assertEquals("iteration 7", e.getMessage());
    for (int i = 0; i < 50; i++) {
      assertEquals(1, hits.get(i), "index " + i);
    }
  }

  @Test
  void optimizersGiveTheSameParametersThroughTheLoop() throws Exception {
    ObjectMapper json = new ObjectMapper();
    try (PluginRegistry reg = TinyRuns.registry()) {
      for (String type : List.of("adamw", "muon", "lion", "adafactor", "sgd")) {
        List<INDArray> results = new ArrayList<>();
        for (ParallelLoop loop : List.of(ParallelLoop.SEQUENTIAL, ShardLoop.of(2))) {
          Nd4j.getRandom().setSeed(11);
          List<Parameter> ps = new ArrayList<>();
          for (int k = 0; k < 12; k++) {
            ps.add(new Parameter("p" + k, ParamRole.OTHER, Nd4j.rand(DataType.FLOAT, 16 + k, 8)));
          }
          Optimizer opt = (Optimizer) reg.build(Kind.OPTIMIZER, json.readTree("{\"type\": \"" + type + "\"}"),
              new OptimizerContext("all", ps, p -> true, loop), "optimizer");
          for (int step = 0; step < 3; step++) {
            for (Parameter p : ps) {
              p.zeroGrad();
              p.addGrad(Nd4j.rand(DataType.FLOAT, p.shape()).subi(0.5));
            }
            opt.step(1.0);
          }
          results.add(Nd4j.toFlattened(ps.stream().map(Parameter::data).toArray(INDArray[]::new)));
        }
        assertArrayEquals(results.get(0).toFloatVector(), results.get(1).toFloatVector(), 0f,
            type + ": parameters differ between the sequential and the parallel loop");
      }
    }
  }
}
