package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every attention variant of the attention plugin jar trains the tiny MoE (through the real jars) for a
 * few steps: losses finite and falling. The swa run mixes layer types (sliding window in layer 0,
 * global mha in the last layer).
 */
class AttentionVariantsSmokeTest {
  static final int STEPS = 15;
  static PluginRegistry registry;
  @TempDir static Path runs;

  @BeforeAll
  static void open() {
    registry = TinyRuns.registry();
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  static List<String> overrides(String variant) {
    return switch (variant) {
      case "mha" -> List.of("model.attention={\"type\":\"mha\"}");
      case "gqa" -> List.of("model.attention={\"type\":\"gqa\",\"nKvHeads\":1,\"qkNorm\":true,\"softCap\":30}");
      case "swa" -> List.of("model.attention={\"type\":\"swa\",\"window\":4}",
          "model.globalAttention={\"type\":\"mha\"}", "model.globalLast=true");
      case "mla" -> List.of("model.attention={\"type\":\"mla\",\"qLoraRank\":8,\"kvLoraRank\":16}");
      case "nsa" -> List.of("model.attention={\"type\":\"nsa\",\"compressBlock\":4,\"compressStride\":2,"
          + "\"selectBlock\":4,\"selectCount\":2,\"window\":4}");
      case "kda" -> List.of("model.attention={\"type\":\"kda\",\"chunkSize\":8}");
      default -> throw new IllegalArgumentException(variant);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"mha", "gqa", "swa", "mla", "nsa", "kda"})
  void trainsAFewStepsWithFallingLoss(String variant) throws Exception {
    String[] sets = java.util.stream.Stream.concat(overrides(variant).stream(), java.util.stream.Stream.of(
        "name=smoke-" + variant, "train.steps=" + STEPS, "train.warmupSteps=3", "train.evalEvery=" + STEPS,
        "train.checkpointEvery=" + STEPS)).toArray(String[]::new);
    Runs.Prepared p = Runs.create(TinyRuns.tiny(sets), registry, runs.resolve(variant), new EventBus());
    Runs.execute(p);
    List<Double> losses = TrainerEndToEndTest.stepLosses(p.run().directory().root());
    assertEquals(STEPS, losses.size());
    assertTrue(losses.stream().allMatch(Double::isFinite), variant + " losses " + losses);
    double first = losses.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(STEPS - 3, STEPS).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertTrue(last < first - 0.3, variant + " loss should fall: " + first + " -> " + last + " " + losses);
  }
}
