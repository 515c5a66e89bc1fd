package dev.roundhouse.host.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.export.HfImport;
import dev.roundhouse.host.export.Upcycle;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.BatchLoader;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.run.DataFingerprint;
import dev.roundhouse.host.data.DataSources;
import dev.roundhouse.host.data.Dataset;
import dev.roundhouse.host.data.ValidationBatches;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.BoundPlugins;
import dev.roundhouse.host.model.ModelBuilder;
import dev.roundhouse.host.model.ModelSummary;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.optim.DecayRule;
import dev.roundhouse.host.optim.OptimizerGroups;
import dev.roundhouse.host.optim.OptimizerSet;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.CheckpointStore;
import dev.roundhouse.host.run.IoReasons;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.run.RunDirectoryException;
import java.nio.file.Files;
import dev.roundhouse.tensor.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Assembles a {@link TrainingRun}: validates the whole config (host fields and every plugin
 * section) up front, loads and checks the data before any training starts, builds plugins and the
 * model, and prepares the run directory.
 */
public final class RunFactory {
  /** The run-record file with the optimizer group table and the precision policy per role. */
  public static final String SETUP_FILE = RunRecord.SETUP_FILE;

  private RunFactory() {}

  /**
   * Every problem of a bound config: the plugin sections read through the registry, and whether the model's
   * training state fits in memory ({@link MemoryBudget}). Empty = valid.
   */
  public static List<String> pluginProblems(RunConfig cfg, PluginRegistry registry) {
    List<String> problems = new ArrayList<>();
    String memory = MemoryBudget.problem(cfg, MemoryBudget.available());
    if (memory != null) {
      problems.add(memory);
    }
    BoundPlugins.bind(cfg, registry, problems);
    return problems;
  }

  /** The resolved config: host defaults filled, each plugin section replaced by its full config record. */
  public static ObjectNode resolve(RunConfig cfg, PluginRegistry registry) {
    return resolve(cfg, BoundPlugins.bind(cfg, registry));
  }

  static ObjectNode resolve(RunConfig cfg, BoundPlugins plugins) {
    ObjectNode tree = ConfigLoader.toTree(cfg);
    if (cfg.optimizerGroups() == null) {
      tree.remove("optimizerGroups"); // absent stays absent: configs without groups keep their fingerprint
    }
    if (cfg.init() == null) {
      tree.remove("init"); // absent stays absent, as optimizerGroups
    }
    if (cfg.train().stopAt() == null) {
      ((ObjectNode) tree.get("train")).remove("stopAt"); // absent stays absent: older runs keep their fingerprint
    }
    if (cfg.tokenizer().equals(TokenizerSpec.defaults())) {
      tree.remove("tokenizer"); // the default stays absent: byte-level runs keep their fingerprint
    }
    if (cfg.data().prepared() == null) {
      ((ObjectNode) tree.get("data")).remove("prepared");
    }
    if (!cfg.data().masksDocuments()) {
      ((ObjectNode) tree.get("data")).remove("documentMask"); // off stays absent: fingerprints unchanged
    }
    plugins.resolveInto(tree);
    return tree;
  }

  /** Builds everything for a fresh run in a new directory under {@code runsRoot}. */
  public static TrainingRun create(RunConfig cfg, PluginRegistry registry, Path runsRoot, EventBus events) {
    List<String> problems = new ArrayList<>();
    String memory = MemoryBudget.problem(cfg, MemoryBudget.available());
    if (memory != null) {
      problems.add(memory);
    }
    BoundPlugins plugins = BoundPlugins.bind(cfg, registry, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException("config", problems);
    }
    ObjectNode resolved = resolve(cfg, plugins);
    Dataset data = openData(cfg);
    if (Files.exists(runsRoot) && !Files.isDirectory(runsRoot)) {
      throw new RunDirectoryException("runs folder " + runsRoot + " is a file, not a folder");
    }
    RunDirectory dir;
    try {
      dir = RunDirectory.create(runsRoot, cfg.name());
    } catch (IOException e) {
      throw new RunDirectoryException("cannot create a run directory under " + runsRoot + ": "
          + IoReasons.describe(e), e);
    }
    try {
      dir.checkWritable();
      dir.writeConfig(resolved);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e instanceof RunDirectoryException r ? r
          : new RunDirectoryException("cannot write " + dir.configFile() + ": " + IoReasons.describe(e), e);
    }
    try {
      TrainingRun run = assemble(cfg, resolved, plugins, data, dir, events);
      if (cfg.init() != null && cfg.init().from() != null) {
        HfImport.loadInto(run.model(), Path.of(cfg.init().from()));
      }
      if (cfg.init() != null && cfg.init().upcycle() != null) {
        Upcycle.fromDenseRun(run.model(), cfg, Path.of(cfg.init().upcycle()));
      }
      RunRecord.writeSetup(run);
      return run;
    } catch (RuntimeException | Error e) {
      Throwable failure = PluginFaults.attribute(e, registry);
      RunRecord.recordFailure(dir, 0, failure);
      dir.close();
      if (failure instanceof Error err) {
        throw err;
      }
      throw (RuntimeException) failure;
    }
  }

  /** Rebuilds the run stored in {@code dir} (its config.json) for resuming. */
  public static TrainingRun reopen(RunDirectory dir, RunConfig cfg, PluginRegistry registry, EventBus events) {
    MemoryBudget.check(cfg, MemoryBudget.available());
    BoundPlugins plugins = BoundPlugins.bind(cfg, registry);
    return assemble(cfg, resolve(cfg, plugins), plugins, openData(cfg), dir, events);
  }

  private static TrainingRun assemble(RunConfig cfg, ObjectNode resolved, BoundPlugins plugins, Dataset data,
      RunDirectory dir, EventBus events) {
    DataType dtype = cfg.train().dtype().equals("double") ? DataType.DOUBLE : DataType.FLOAT;
    long seed = cfg.seed();
    PrecisionPolicy precision = plugins.precision().build(new PrecisionContext(cfg.model().nLayers(), seed));
    MoeTransformer model = ModelBuilder.build(cfg.model(), plugins, precision, seed, dtype);
    List<MoeTransformer> replicas = new java.util.ArrayList<>();
    for (int s = 1; s < cfg.train().dataParallel(); s++) {
      replicas.add(ModelBuilder.replica(model, cfg.model(), plugins, precision, seed, s));
    }
    maskDocuments(cfg, model, replicas);
    List<Parameter> params = model.parameters();
    OptimizerSet optimizer = OptimizerGroups.build(cfg.optimizer(), cfg.optimizerGroups(), params,
        optimizerFactory(plugins), ShardLoop.of(cfg.train().dataParallel()));
    int b = cfg.train().batchSize();
    int t = cfg.model().seqLen();
    BatchLoader loader = new BatchLoader(data.train(), data.mixture(), b, t, seed);
    ValidationBatches val = new ValidationBatches(data.val(), b, t);
    CheckpointStore store = dir.checkpointStore(cfg.train().keepCheckpoints());
    return new TrainingRun(cfg, resolved, Fingerprint.of(resolved), model, ModelSummary.of(model, cfg.model()),
        precision, optimizer, params, data, loader, val, dir, store, events, List.copyOf(replicas),
        DataFingerprint.of(DataSources.files(cfg.data().path())));
  }

  /** With data.documentMask: every model (primary, replicas) splits attention at the data's EOS token. */
  static void maskDocuments(RunConfig cfg, MoeTransformer model, List<MoeTransformer> replicas) {
    if (!cfg.data().masksDocuments()) {
      return;
    }
    int eos = cfg.data().documentSeparator(cfg.tokenizer());
    try {
      model.maskDocuments(eos);
      replicas.forEach(r -> r.maskDocuments(eos));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
  }

  /** Default weight-decay rule: matrices decay; norms, biases, routers and 1-D tensors do not. */
  static boolean decays(Parameter p) {
    return DecayRule.defaults(p);
  }

  /** Optimizers from the bound sections (each group's own, or the top-level one it inherits). */
  static OptimizerGroups.Factory optimizerFactory(BoundPlugins plugins) {
    return new OptimizerGroups.Factory() {
      @Override
      public Optimizer build(JsonNode section, OptimizerContext context, String jsonPath) {
        return plugins.optimizerAt(jsonPath).build(context);
      }

      @Override
      public JsonNode resolved(JsonNode section, String jsonPath) {
        return plugins.optimizerAt(jsonPath).resolved();
      }
    };
  }

  /**
   * What {@code run} checks about the data before training (readable, fits model.vocabSize and model.seqLen, enough
   * validation data), for {@code validate}.
   *
   * @throws dev.roundhouse.host.data.DataException naming the file
   */
  public static void checkData(RunConfig cfg) {
    openData(cfg);
  }

  /** Loads the data and checks it fits the model, before anything is trained or written. */
  static Dataset openData(RunConfig cfg) {
    if (cfg.data().masksDocuments()) {
      cfg.data().documentSeparator(cfg.tokenizer()); // refused before anything is written without EOS separators
    }
    Dataset data = cfg.data().open(cfg.tokenizer(), cfg.seed());
    int vocab = cfg.model().vocabSize();
    if (data.train().maxToken() >= vocab || data.val().maxToken() >= vocab) {
      throw new DataException(data.train().source() + ": token id "
          + Math.max(data.train().maxToken(), data.val().maxToken()) + " does not fit model.vocabSize=" + vocab);
    }
    int need = cfg.model().seqLen() + 1;
    if (data.train().size() < need || data.val().size() < need) {
      throw new DataException(data.train().source() + ": too little data for model.seqLen=" + cfg.model().seqLen()
          + " (train " + data.train().size() + " tokens, validation " + data.val().size() + ", each needs >= " + need
          + ")");
    }
    return data;
  }
}
