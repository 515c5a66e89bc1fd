package dev.roundhouse.host.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A verified checkpoint read back from disk.
 *
 * @param step    training step it was saved at
 * @param dir     its directory, e.g. {@code checkpoints/step-000100}
 * @param tensors name to array, in the file's (sorted) order; arrays are detached (no workspace), C order
 * @param meta    the meta.json content as saved
 */
public record LoadedCheckpoint(long step, Path dir, Map<String, INDArray> tensors, JsonNode meta) {
  /** The named tensor; fails naming the checkpoint if absent. */
  public INDArray tensor(String name) {
    INDArray a = tensors.get(name);
    if (a == null) {
      throw new CheckpointException(dir, "has no tensor '" + name + "'");
    }
    return a;
  }
}
