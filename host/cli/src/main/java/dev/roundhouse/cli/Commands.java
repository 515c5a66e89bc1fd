package dev.roundhouse.cli;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.ByteTokenizer;
import dev.roundhouse.host.config.DataSpec;
import dev.roundhouse.host.data.Dataset;
import dev.roundhouse.host.data.ValidationBatches;
import dev.roundhouse.host.env.BackendInfo;
import dev.roundhouse.host.export.DeepSeekV3Import;
import dev.roundhouse.host.export.HfExport;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.train.Evaluation;
import dev.roundhouse.host.train.Inference;
import dev.roundhouse.host.train.MemoryEstimate;
import dev.roundhouse.host.train.RunFactory;
import dev.roundhouse.host.train.RunExport;
import dev.roundhouse.host.train.Runs;
import dev.roundhouse.host.train.RunSession;
import dev.roundhouse.host.train.Trainer;
import dev.roundhouse.host.train.TrainingRun;
import dev.roundhouse.tensor.OpProfiler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The CLI commands; each returns an exit code. */
final class Commands {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean verbose;

  Commands(PrintStream out, PrintStream err, boolean verbose) {
    this.out = out;
    this.err = err;
    this.verbose = verbose;
  }

  int run(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("set", "data", "out", "plugins", "plugins-only"), Set.of("force"));
    Path config = a.positionals.isEmpty() ? null : Args.path(a.positionals.get(0), "CONFIG");
    List<String> sets = new ArrayList<>(a.all("set"));
    if (a.option("data") != null) {
      sets.add("data.path=" + quote(a.option("data")));
    }
    RunConfig cfg = ConfigLoader.load(config, sets);
    MemoryEstimate memory = MemoryEstimate.of(cfg);
    long available = MemoryEstimate.availableBytes();
    out.println("memory estimate: " + memory.describe() + (available < 0 ? ""
        : String.format(java.util.Locale.ROOT, "; %.2f GB available", available / 1e9)));
    String tooBig = memory.problem(available);
    if (tooBig != null) {
      if (!a.has("force")) {
        throw new ConfigException("config", List.of(tooBig));
      }
      err.println("warning: " + tooBig + " (--force given: training anyway)");
    }
    try (PluginRegistry registry = registry(a)) {
      reportProblems(registry);
      return train(bus -> Runs.create(cfg, registry, runsRoot(a), bus));
    }
  }

  int resume(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins", "plugins-only"), Set.of("force", "force-data-change", "restart"));
    Path dir = a.pathPositional(0, "RUN_DIR");
    RunDirectory.requireRunDirectory(dir);
    try (PluginRegistry registry = registry(a)) {
      reportProblems(registry);
      Runs.ResumeOptions options = new Runs.ResumeOptions(a.has("force"), a.has("force-data-change"),
          a.has("restart"));
      return train(bus -> Runs.resume(dir, registry, bus, options));
    }
  }

  /**
   * Prepares and trains a run through the host's run session, printing its summary and progress; a signal (Ctrl-C,
   * SIGTERM) stops it after a checkpoint. A failure to prepare it is thrown; a training failure is reported here.
   */
  int train(RunSession.Preparer preparer) {
    RunSession.LiveRun live = RunSession.start(preparer, new EventBus(), p -> {
      out.println(Summary.describe(p.run()));
      p.run().events().subscribe(new ConsoleProgress(out, System.console() != null));
    });
    TrainingRun run = live.awaitPrepared().run();
    StopOnSignal signal = StopOnSignal.install(live::stop, out, err);
    int code = ExitCodes.RUN_FAILED;
    try {
      Trainer.Outcome outcome = live.await();
      if (OpProfiler.ENABLED) {
        err.println(OpProfiler.report());
      }
      if (outcome.stopped()) {
        out.println("interrupted: checkpoint written at step " + outcome.step() + "; continue with: roundhouse resume "
            + run.directory().root());
        code = ExitCodes.INTERRUPTED;
      } else {
        out.println("run directory: " + run.directory().root());
        code = ExitCodes.OK;
      }
      return code;
    } catch (RuntimeException | Error e) {
      // reported here, before finish(), so that a signalled process prints it and exits with its code
      code = Failures.report(e, err, verbose);
      return code;
    } finally {
      signal.finish(code);
    }
  }

  int eval(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins", "plugins-only", "data", "batches"), Set.of());
    Path dir = a.pathPositional(0, "RUN_DIR");
    int batches = a.intOption("batches", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
    RunDirectory.requireRunDirectory(dir);
    try (PluginRegistry registry = registry(a)) {
      Inference inf = Inference.open(dir, registry);
      RunConfig cfg = inf.config();
      DataSpec spec = a.option("data") == null ? cfg.data()
          : new DataSpec(a.option("data"), cfg.data().valFraction(), cfg.data().syntheticBytes());
      Dataset data = spec.open(cfg.tokenizer(), cfg.seed());
      ValidationBatches val = new ValidationBatches(data.val(), cfg.train().batchSize(), cfg.model().seqLen());
      int n = Math.min(batches, val.batchCount());
      double loss = Evaluation.meanLoss(inf.model(), val.batches(n));
      double bpb = cfg.tokenizer().equals(dev.roundhouse.host.data.tokenizer.TokenizerSpec.defaults())
          ? Evaluation.bitsPerByte(loss) // one byte per token
          : dev.roundhouse.host.train.SourceEvaluation.of(inf.model(), val.batches(n),
              dev.roundhouse.host.data.tokenizer.TokenBytes.of(cfg.tokenizer().open()), 0).bitsPerByte();
      out.printf("step %d  val_loss %.4f  val_bpb %.4f  (%d batches of %s)%n", inf.step(), loss,
          bpb, n, data.val().source());
      return ExitCodes.OK;
    }
  }

  int sample(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins", "plugins-only", "prompt", "tokens", "temperature", "seed"), Set.of());
    Path dir = a.pathPositional(0, "RUN_DIR");
    String prompt = a.option("prompt");
    if (prompt == null) {
      throw new Args.UsageException("sample needs --prompt TEXT");
    }
    int tokens = a.intOption("tokens", 200, 1, 1_000_000);
    double temperature = a.doubleOption("temperature", 0.8, 0, 100);
    long seed = a.longOption("seed", 1);
    RunDirectory.requireRunDirectory(dir);
    try (PluginRegistry registry = registry(a)) {
      Inference inf = Inference.open(dir, registry);
      out.println(prompt + inf.sample(prompt, tokens, temperature, seed));
      return ExitCodes.OK;
    }
  }

  int export(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins", "plugins-only", "step", "out"), Set.of());
    Path dir = Path.of(a.positional(0, "RUN_DIR"));
    if (a.option("out") == null) {
      throw new Args.UsageException("export needs --out DIR (a new folder)");
    }
    Long step = a.option("step") == null ? null : Long.parseLong(a.option("step"));
    try (PluginRegistry registry = registry(a)) {
      Path out = RunExport.export(dir, step, Path.of(a.option("out")), registry);
      this.out.println("exported to " + out + " (load with: python3 " + out.resolve(HfExport.MODELING) + " " + out
          + " --prompt TEXT, or AutoModelForCausalLM.from_pretrained(DIR, trust_remote_code=True))");
      return ExitCodes.OK;
    }
  }

  /** {@code import DIR}: a new run whose config is the export's and whose initial weights are its weights. */
  int importRun(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("set", "data", "out", "plugins", "plugins-only"), Set.of());
    Path dir = Path.of(a.positional(0, "EXPORT_DIR"));
    Path config = dir.resolve(HfExport.RUN_CONFIG);
    List<String> sets = new ArrayList<>();
    if (!java.nio.file.Files.isRegularFile(config)) {
      Path hf = dir.resolve(HfExport.CONFIG);
      if (!java.nio.file.Files.isRegularFile(hf) || !DeepSeekV3Import.is(Json.read(hf))) {
        throw new Args.UsageException(dir + " has no " + HfExport.RUN_CONFIG
            + ": not a Roundhouse export folder (nor a " + DeepSeekV3Import.MODEL_TYPE + " one)");
      }
      // a stock DeepSeek-V3 folder: the default config with its model
      config = null;
      sets.addAll(DeepSeekV3Import.overrides(Json.read(hf)));
    }
    sets.add("init.from=" + quote(dir.toAbsolutePath().toString()));
    sets.addAll(a.all("set"));
    if (a.option("data") != null) {
      sets.add("data.path=" + quote(a.option("data")));
    }
    RunConfig cfg = ConfigLoader.load(config, sets);
    try (PluginRegistry registry = registry(a)) {
      reportProblems(registry);
      return train(bus -> Runs.create(cfg, registry, runsRoot(a), bus));
    }
  }

  int validate(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("set", "plugins", "plugins-only"), Set.of());
    Path config = a.pathPositional(0, "CONFIG");
    ConfigLoader.Bound bound;
    try {
      com.fasterxml.jackson.databind.node.ObjectNode tree = ConfigLoader.readTree(config);
      ConfigLoader.applyOverrides(tree, a.all("set"));
      bound = ConfigLoader.bindAll(tree);
    } catch (ConfigException e) {
      e.problems().forEach(p -> err.println(config + ": " + p));
      return ExitCodes.USAGE_OR_CONFIG;
    }
    RunConfig cfg = bound.config();
    // every problem at once: the host's fields and, with what could be bound, every plugin section
    List<String> problems = new ArrayList<>(bound.problems());
    if (cfg != null) {
      try (PluginRegistry registry = registry(a)) {
        RunFactory.pluginProblems(cfg, registry).stream().filter(p -> !problems.contains(p)).forEach(problems::add);
      }
    }
    problems.forEach(p -> err.println(config + ": " + p));
    if (!problems.isEmpty()) {
      return ExitCodes.USAGE_OR_CONFIG;
    }
    RunFactory.checkData(cfg); // what run reads and checks next: a data error here exits 3 as it would there
    out.println(config + ": valid");
    return ExitCodes.OK;
  }

  int plugins(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins", "plugins-only"), Set.of());
    try (PluginRegistry registry = registry(a)) {
      PluginListing.print(registry, out);
      reportProblems(registry);
      return ExitCodes.OK;
    }
  }

  int env() {
    BackendInfo.detect().lines().forEach(out::println);
    return ExitCodes.OK;
  }

  int bench(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("json", "plugins", "plugins-only", "case", "arena", "recompute", "set", "steps",
        "corpus", "tokenizer"),
        Set.of());
    Bench.MemoryOptions d = Bench.MemoryOptions.DEFAULTS;
    Bench.MemoryOptions memory = new Bench.MemoryOptions(a.all("case").isEmpty() ? d.cases() : a.all("case"),
        a.all("arena").isEmpty() ? d.arenas() : a.all("arena"),
        a.all("recompute").isEmpty() ? d.recompute() : a.all("recompute"), a.all("set"),
        a.intOption("steps", d.steps(), 1, 1_000_000));
    try (PluginRegistry registry = registry(a)) {
      return Bench.run(a.positionals, a.option("json"), registry, out, memory, a.all("corpus"), a.all("tokenizer"));
    }
  }

  private void reportProblems(PluginRegistry registry) {
    for (String p : registry.problems()) {
      err.println("plugin problem: " + p);
    }
  }

  /**
   * The plugins folder ({@code --plugins-only DIR ...} in its place) plus every {@code --plugins DIR}; the
   * earlier folders win duplicate ids (see {@link PluginRegistry}).
   */
  private static PluginRegistry registry(Args a) {
    List<Path> added = a.all("plugins").stream().map(d -> Args.path(d, "--plugins")).toList();
    List<Path> only = a.all("plugins-only").stream().map(d -> Args.path(d, "--plugins-only")).toList();
    if (only.isEmpty()) {
      return PluginRegistry.openDefaultPlus(added);
    }
    List<Path> dirs = new ArrayList<>(only);
    dirs.addAll(added);
    return new PluginRegistry(dirs);
  }

  private static Path runsRoot(Args a) {
    Path out = a.pathOption("out");
    if (out != null) {
      return out;
    }
    return Path.of(System.getProperty("roundhouse.runs.dir", "runs"));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
