package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pre-training memory estimate: activations and scratch scale with the tokens of a micro-batch,
 * the training state with the parameters; a config is refused only when the estimate exceeds what
 * is available, with the estimate and the way out in the message.
 */
class MemoryEstimateTest {
  @Test
  void activationsScaleWithTokensAndStateWithParameters() {
    MemoryEstimate b8 = MemoryEstimate.of(ConfigLoader.load(null, List.of("train.batchSize=8")));
    MemoryEstimate b16 = MemoryEstimate.of(ConfigLoader.load(null, List.of("train.batchSize=16")));
    assertEquals(2.0, b16.activationBytes() / (double) b8.activationBytes(), 1e-6);
    assertEquals(b8.stateBytes(), b16.stateBytes());
    assertEquals(MemoryBudget.trainingBytes(ConfigLoader.load(null, List.of())), b16.stateBytes());
    // tiny-moe at 16 x 256: between the state alone and the 5.5 GB the single step arena took
    assertTrue(b16.totalBytes() > 1e9 && b16.totalBytes() < 5.5e9, b16.describe());
  }

  @Test
  void recomputeLowersTheActivationsMostForWholeBlocks() {
    long[] act = new long[4];
    String[] modes = {"none", "attention", "moe", "block"};
    for (int i = 0; i < 4; i++) {
      act[i] = MemoryEstimate.of(ConfigLoader.load(null, List.of("train.activationCheckpointing=" + modes[i])))
          .activationBytes();
    }
    assertTrue(act[1] < act[0] && act[2] < act[0] && act[3] < act[1] && act[3] < act[2],
        "activations none/attention/moe/block: " + java.util.Arrays.toString(act));
    MemoryEstimate none = MemoryEstimate.of(ConfigLoader.load(null, List.of()));
    MemoryEstimate block = MemoryEstimate.of(ConfigLoader.load(null, List.of("train.activationCheckpointing=block")));
    assertTrue(block.scratchBytes() > none.scratchBytes(), "the re-run's arena comes on top of the scratch");
    assertTrue(block.totalBytes() < none.totalBytes(), none.describe() + " vs " + block.describe());
  }

  @Test
  void refusesOnlyWhatDoesNotFitAndSaysWhatToDo() {
    MemoryEstimate e = MemoryEstimate.of(ConfigLoader.load(null, List.of()));
    assertNull(e.problem(e.totalBytes()));
    assertNull(e.problem(-1), "unknown free memory: no refusal");
    String p = e.problem(e.totalBytes() - 1);
    assertTrue(p.startsWith("memory: this config needs ~") && p.contains("train.batchSize") && p.contains("--force"), p);
  }
}
