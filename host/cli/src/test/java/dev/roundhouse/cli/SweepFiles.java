package dev.roundhouse.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tiny sweep files for the sweep tests: a 2-layer MoE with d=32 that trains a few steps in seconds. */
final class SweepFiles {
  private SweepFiles() {}

  static final String TINY_SET = "{\"data.syntheticBytes\": 40000, \"model.seqLen\": 16, \"model.dModel\": 32,"
      + " \"model.nLayers\": 2, \"model.nHeads\": 2, \"model.moe.routedExperts\": 4, \"model.moe.expertHidden\": 16,"
      + " \"model.moe.denseHidden\": 64, \"model.moe.sharedHidden\": 32, \"train.batchSize\": 2,"
      + " \"train.dataParallel\": 1, \"train.steps\": %d, \"train.warmupSteps\": 2, \"train.evalEvery\": %d,"
      + " \"train.evalBatches\": 1, \"train.checkpointEvery\": %d, \"train.logEvery\": 1}";

  /** Two routers x two seeds; {@code rest} is more top-level JSON fields (with a leading comma) or "". */
  static Path routerSweep(Path dir, String name, int steps, int evalEvery, int checkpointEvery, String rest) {
    String json = "{\"name\": \"" + name + "\", \"set\": " + String.format(TINY_SET, steps, evalEvery, checkpointEvery)
        + ", \"axes\": [{\"path\": \"model.moe.router\", \"values\": [{\"type\": \"softmax-topk\"},"
        + " {\"type\": \"sigmoid-topk\"}]}], \"seeds\": [1, 2]" + rest + "}";
    return write(dir.resolve(name + ".json"), json);
  }

  static Path write(Path file, String json) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, json);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
