package dev.roundhouse.host.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.ByteTokenizer;
import dev.roundhouse.host.data.Tokenizer;
import dev.roundhouse.host.model.ModelBuilder;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.BoundPlugins;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.CheckpointStore;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.LoadedCheckpoint;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.run.RunDirectoryException;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.StepArena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model loaded read-only from a run directory's config and newest good checkpoint, for
 * {@code eval} and {@code sample}. Takes no lock: it never writes to the run directory.
 */
public final class Inference {
  private final RunConfig config;
  private final MoeTransformer model;
  private final long step;

  private Inference(RunConfig config, MoeTransformer model, long step) {
    this.config = config;
    this.model = model;
    this.step = step;
  }

  public static Inference open(Path runDir, PluginRegistry registry) {
    return open(runDir, registry, null);
  }

  /**
   * The run's model at checkpoint {@code step} (null: the newest good one): weights and router state
   * (e.g. the expert bias of sigmoid-topk, which selects experts at inference too).
   */
  public static Inference open(Path runDir, PluginRegistry registry, Long step) {
    RunDirectory.requireRunDirectory(runDir);
    Path cfgFile = runDir.resolve(RunDirectory.CONFIG_FILE);
    ObjectNode tree = (ObjectNode) RunDirectory.readConfig(runDir);
    RunConfig cfg = ConfigLoader.bind(tree, cfgFile.toString());
    CheckpointStore store = new CheckpointStore(runDir.resolve(RunDirectory.CHECKPOINTS_DIR));
    LoadedCheckpoint ckpt = step != null ? store.load(step) : store.latest()
        .orElseThrow(() -> new RunDirectoryException(runDir + ": no complete checkpoint to load"));
    BoundPlugins plugins = BoundPlugins.bind(cfg, registry);
    PrecisionPolicy precision = plugins.precision().build(new PrecisionContext(cfg.model().nLayers(), cfg.seed()));
    DataType dtype = cfg.train().dtype().equals("double") ? DataType.DOUBLE : DataType.FLOAT;
    MoeTransformer model = ModelBuilder.build(cfg.model(), plugins, precision, cfg.seed(), dtype);
    RunFactory.maskDocuments(cfg, model, List.of());
    CheckpointState.restoreParameters(model.parameters(), ckpt);
    CheckpointState.restoreRouters(model, ckpt);
    return new Inference(cfg, model, ckpt.step());
  }

  public RunConfig config() {
    return config;
  }

  public MoeTransformer model() {
    return model;
  }

  /** The checkpoint step the weights come from. */
  public long step() {
    return step;
  }

  /**
   * Continues {@code prompt} by {@code tokens} bytes, sampling from softmax(logits / temperature)
   * (temperature 0 = greedy) with a seeded RNG. The context is the last seqLen tokens.
   */
  public String sample(String prompt, int tokens, double temperature, long seed) {
    Tokenizer tok = config.tokenizer().open();
    return tok.decode(generate(tok.encode(prompt.isEmpty() ? "\n" : prompt), tokens, temperature, seed));
  }

  /** The {@code tokens} ids that continue {@code ids} (same sampling as {@link #sample}). */
  public int[] generate(int[] ids, int tokens, double temperature, long seed) {
    int[] all = Arrays.copyOf(ids, ids.length + tokens);
    int len = ids.length;
    SplittableRandom rng = new SplittableRandom(seed);
    int seqLen = config.model().seqLen();
    for (int i = 0; i < tokens; i++) {
      int from = Math.max(0, len - seqLen);
      int[] ctx = Arrays.copyOfRange(all, from, len);
      double[] row;
      try (StepArena arena = StepArena.open("sample"); NoGrad ng = NoGrad.enter()) {
        INDArray logits = model.logits(ctx, 1, ctx.length).data(); // [ctx, V]
        row = logits.getRow(ctx.length - 1).castTo(DataType.DOUBLE).toDoubleVector();
      }
      all[len++] = pick(row, temperature, rng);
    }
    return Arrays.copyOfRange(all, ids.length, len);
  }

  private static int pick(double[] logits, double temperature, SplittableRandom rng) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    if (temperature <= 0) {
      return best;
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp((logits[i] - logits[best]) / temperature);
      sum += p[i];
    }
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < p.length; i++) {
      u -= p[i];
      if (u <= 0) {
        return i;
      }
    }
    return best;
  }
}
