package dev.roundhouse.host.bench;

import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.TensorFile;
import dev.roundhouse.host.train.Runs;
import dev.roundhouse.tensor.Parameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exports what an outside implementation (host/bench/scripts/pytorch_reference.py) needs to reproduce the first
 * training steps of a run like for like: the initial weights built exactly as a run builds them
 * (same config and seed, through {@link Runs#create}), the first {@code steps} training batches, and
 * what the real {@code Trainer} then logged for those steps.
 *
 * <p>Output: one file in the checkpoint {@code tensors.bin} layout (docs/run-directory.md, entries
 * sorted by name): {@code param/<name>} initial weights (FLOAT); {@code batch/<i>/inputs} and
 * {@code batch/<i>/targets} INT [B, T]; {@code ref/loss} (cross-entropy per step), {@code ref/aux}
 * (sum of router losses per step), {@code ref/grad_norm} (pre-clip global norm per step) and
 * {@code ref/lr} (learning rate per step), DOUBLE [steps]. The schedule runs over the config's
 * {@code train.steps}, so step i's learning rate is the one a full run uses.
 *
 * <p>Run: {@code java -cp <cli classpath> -Droundhouse.plugins.dir=<plugins>
 * dev.roundhouse.host.bench.ExportInit --out file [--config file] [--steps N] [--set key=value ...]}.
 */
public final class ExportInit {

  private ExportInit() {}

  public static void main(String[] args) throws IOException {
    Path config = null;
    Path out = null;
    int steps = 2;
    List<String> sets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--set" -> sets.add(args[++i]);
        default -> throw new IllegalArgumentException("ExportInit: unknown argument " + args[i]
            + " (use --out file, --config file, --steps N, --set key=value)");
      }
    }
    if (out == null || steps < 1) {
      throw new IllegalArgumentException("ExportInit: need --out file and --steps >= 1");
    }
    RunConfig full = ConfigLoader.load(config, sets);
    List<String> all = new ArrayList<>(sets);
    // keep the full run's step count for the schedule; stop the trainer after `steps` via requestStop
    all.addAll(List.of("train.logEvery=1", "train.evalEvery=100000", "train.evalBatches=1",
        "train.checkpointEvery=100000"));
    RunConfig cfg = ConfigLoader.load(config, all);
    if (full.train().steps() < steps) {
      throw new IllegalArgumentException("ExportInit: --steps " + steps + " exceeds train.steps " + full.train().steps());
    }
    Map<String, INDArray> tensors = new TreeMap<>();
    double[] loss = new double[steps];
    double[] aux = new double[steps];
    double[] gradNorm = new double[steps];
    double[] lr = new double[steps];
    Path root = Files.createTempDirectory("roundhouse-export");
    try (PluginRegistry registry = PluginRegistry.openDefault()) {
      EventBus bus = new EventBus();
      Runs.Prepared[] holder = new Runs.Prepared[1];
      int last = steps;
      bus.subscribe(e -> {
        if (e instanceof RunEvent.Step s && s.step() <= last) {
          int i = (int) s.step() - 1;
          loss[i] = s.loss();
          aux[i] = s.auxLosses().values().stream().mapToDouble(Double::doubleValue).sum();
          gradNorm[i] = s.gradNorm();
          lr[i] = s.lr();
          if (s.step() == last) {
            holder[0].trainer().requestStop();
          }
        }
      });
      Runs.Prepared p = Runs.create(cfg, registry, root, bus);
      holder[0] = p;
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        for (Parameter param : p.run().parameters()) {
          tensors.put("param/" + param.name(), param.data().dup('c'));
        }
        for (int i = 0; i < steps; i++) {
          Batch b = p.run().loader().batchAt(i);
          tensors.put("batch/" + i + "/inputs", Nd4j.createFromArray(b.inputs()).reshape(b.rows(), b.seqLen()));
          tensors.put("batch/" + i + "/targets", Nd4j.createFromArray(b.targets()).reshape(b.rows(), b.seqLen()));
        }
      }
      try {
        p.trainer().train();
      } finally {
        p.run().directory().close();
      }
    } finally {
      deleteQuietly(root);
    }
    tensors.put("ref/loss", Nd4j.createFromArray(loss));
    tensors.put("ref/aux", Nd4j.createFromArray(aux));
    tensors.put("ref/grad_norm", Nd4j.createFromArray(gradNorm));
    tensors.put("ref/lr", Nd4j.createFromArray(lr));
    write(out, tensors);
    System.out.println("exported " + tensors.size() + " tensors to " + out);
    for (int i = 0; i < steps; i++) {
      System.out.printf(java.util.Locale.ROOT, "step %d: loss %.6f aux %.6f grad_norm %.6f lr %.6g%n",
          i + 1, loss[i], aux[i], gradNorm[i], lr[i]);
    }
  }

  /** Writes {@code tensors} in the checkpoint tensor-file layout (docs/run-directory.md). */
  static void write(Path file, Map<String, INDArray> tensors) throws IOException {
    Files.deleteIfExists(file);
    TensorFile.write(file, tensors);
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // a leftover temporary folder is harmless
    }
  }
}
