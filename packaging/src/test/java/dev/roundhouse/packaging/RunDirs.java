package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading what a `bin/roundhouse run` left in its runs folder. */
final class RunDirs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunDirs() {}

  /** The one run directory under {@code runsRoot} (the folder holding metrics.jsonl). */
  static Path single(Path runsRoot, String output) {
    try (Stream<Path> s = Files.walk(runsRoot)) {
      List<Path> dirs = s.filter(p -> p.getFileName().toString().equals("metrics.jsonl")).map(Path::getParent).toList();
      assertEquals(1, dirs.size(), "expected one run dir with metrics.jsonl under " + runsRoot + ", found " + dirs
          + "; launcher output:\n" + output);
      return dirs.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of {@code metrics.jsonl}. */
  static List<JsonNode> events(Path runDir) {
    try {
      List<JsonNode> out = new ArrayList<>();
      for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
        if (!line.isBlank()) {
          out.add(JSON.readTree(line));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The losses of the {@code step} events, in order; asserts there are {@code steps} of them, all finite. */
  static List<Double> stepLosses(Path runDir, int steps) {
    List<Double> losses = new ArrayList<>();
    for (JsonNode e : events(runDir)) {
      if (e.path("event").asText().equals("step")) {
        JsonNode loss = e.get("loss");
        assertTrue(loss != null && loss.isNumber() && Double.isFinite(loss.asDouble()),
            runDir + ": step " + e.path("step") + " has no finite loss: " + e);
        losses.add(loss.asDouble());
      }
    }
    assertEquals(steps, losses.size(), runDir + ": step events in metrics.jsonl");
    return losses;
  }

  /** Reads a JSON file of the run directory, e.g. provenance.json. */
  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tiny-model overrides of host/core's TinyRuns fixture: trains a step in well under a second. */
  static List<String> tinySets(String name, int steps) {
    List<String> sets = List.of(
        "name=" + name, "data.syntheticBytes=60000",
        "model.seqLen=16", "model.dModel=32", "model.nLayers=2", "model.nHeads=2",
        "model.moe.firstDenseLayers=1", "model.moe.denseHidden=64", "model.moe.routedExperts=4",
        "model.moe.topK=2", "model.moe.expertHidden=16", "model.moe.sharedExperts=1",
        "model.moe.sharedHidden=32",
        "train.steps=" + steps, "train.batchSize=4", "train.warmupSteps=1", "train.evalEvery=" + steps,
        "train.evalBatches=1", "train.checkpointEvery=" + steps, "train.logEvery=1", "optimizer.lr=0.01");
    List<String> args = new ArrayList<>();
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return args;
  }
}
