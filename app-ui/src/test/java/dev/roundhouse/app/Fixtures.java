package dev.roundhouse.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Test fixtures: a plugins folder with the real plugin jars, a tiny run config that trains in seconds. */
public final class Fixtures {
  private Fixtures() {}

  /** The folder the build filled with the real plugin jars (target/test-plugins). */
  public static Path builtPlugins() {
    String dir = System.getProperty("roundhouse.test.plugins");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "plugin jars not built");
    return Path.of(dir);
  }

  /** A fresh plugins folder under {@code tmp} holding copies of the real plugin jars. */
  public static Path pluginsCopy(Path tmp) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("plugins"));
    try (Stream<Path> jars = Files.list(builtPlugins())) {
      for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.copy(j, dir.resolve(j.getFileName()));
      }
    }
    return dir;
  }

  /** A jar file that is not a zip at all: the registry must name it in a problem. */
  public static Path brokenJar(Path dir) throws IOException {
    return Files.writeString(dir.resolve("broken-plugin.jar"), "this is not a zip file");
  }

  /** Tiny MoE (2 layers: 1 dense, 1 MoE with 4 experts top-2; d=32, T=16, B=4) on the synthetic corpus. */
  public static ObjectNode tinyTree(String name, int steps, String... overrides) {
    List<String> sets = new ArrayList<>(List.of(
        "name=" + name, "data.syntheticBytes=60000",
        "model.seqLen=16", "model.dModel=32", "model.nLayers=2", "model.nHeads=2",
        "model.moe.firstDenseLayers=1", "model.moe.denseHidden=64", "model.moe.routedExperts=4",
        "model.moe.topK=2", "model.moe.expertHidden=16", "model.moe.sharedExperts=1",
        "model.moe.sharedHidden=32",
        "train.steps=" + steps, "train.batchSize=4", "train.warmupSteps=2", "train.evalEvery=5",
        "train.evalBatches=2", "train.checkpointEvery=1000", "train.logEvery=1", "train.threads=1",
        "optimizer.lr=0.01"));
    sets.addAll(Arrays.asList(overrides));
    ObjectNode root = ConfigLoader.readTree(null);
    ConfigLoader.applyOverrides(root, sets);
    return root;
  }

  /** {@link #tinyTree} written to {@code dir/name.json}. */
  public static Path tinyConfigFile(Path dir, String name, int steps, String... overrides) throws IOException {
    Path f = dir.resolve(name + ".json");
    Files.writeString(f, ConfigLoader.mapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(tinyTree(name, steps, overrides)));
    return f;
  }
}
