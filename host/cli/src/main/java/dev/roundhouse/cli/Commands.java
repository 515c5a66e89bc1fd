package dev.roundhouse.cli;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.ByteTokenizer;
import dev.roundhouse.host.data.DataSpec;
import dev.roundhouse.host.data.Dataset;
import dev.roundhouse.host.data.ValidationBatches;
import dev.roundhouse.host.env.BackendInfo;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.ExtensionInfo;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.train.Evaluation;
import dev.roundhouse.host.train.Inference;
import dev.roundhouse.host.train.MemoryEstimate;
import dev.roundhouse.host.train.RunFactory;
import dev.roundhouse.host.train.Runs;
import dev.roundhouse.host.train.Trainer;
import dev.roundhouse.host.train.TrainingRun;
import dev.roundhouse.tensor.OpProfiler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The CLI commands; each returns an exit code. */
final class Commands {
  private final PrintStream out;
  private final PrintStream err;

  Commands(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("set", "data", "out", "plugins"), Set.of("force"));
    Path config = a.positionals.isEmpty() ? null : Path.of(a.positionals.get(0));
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
      Runs.Prepared p = Runs.create(cfg, registry, runsRoot(a), new EventBus());
      return train(p, registry);
    }
  }

  int resume(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins"), Set.of("force"));
    Path dir = Path.of(a.positional(0, "RUN_DIR"));
    try (PluginRegistry registry = registry(a)) {
      reportProblems(registry);
      Runs.Prepared p = Runs.resume(dir, registry, new EventBus(), a.has("force"));
      return train(p, registry);
    }
  }

  private int train(Runs.Prepared p, PluginRegistry registry) {
    TrainingRun run = p.run();
    out.println(Summary.describe(run));
    run.events().subscribe(new ConsoleProgress(out, System.console() != null));
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      p.trainer().requestStop();
      try {
        done.await(300, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "roundhouse-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    Trainer.Outcome outcome;
    try {
      outcome = Runs.execute(p);
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it asked for this stop
      }
    }
    if (OpProfiler.ENABLED) {
      err.println(OpProfiler.report());
    }
    if (outcome.stopped()) {
      out.println("interrupted: checkpoint written at step " + outcome.step() + "; continue with: roundhouse resume "
          + run.directory().root());
      return ExitCodes.INTERRUPTED;
    }
    out.println("run directory: " + run.directory().root());
    return ExitCodes.OK;
  }

  int eval(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins", "data", "batches"), Set.of());
    Path dir = Path.of(a.positional(0, "RUN_DIR"));
    try (PluginRegistry registry = registry(a)) {
      Inference inf = Inference.open(dir, registry);
      RunConfig cfg = inf.config();
      DataSpec spec = a.option("data") == null ? cfg.data()
          : new DataSpec(a.option("data"), cfg.data().valFraction(), cfg.data().syntheticBytes());
      Dataset data = spec.open(new ByteTokenizer(), cfg.seed());
      ValidationBatches val = new ValidationBatches(data.val(), cfg.train().batchSize(), cfg.model().seqLen());
      int n = a.option("batches") == null ? val.batchCount() : Integer.parseInt(a.option("batches"));
      double loss = Evaluation.meanLoss(inf.model(), val.batches(n));
      out.printf("step %d  val_loss %.4f  val_bpb %.4f  (%d batches of %s)%n", inf.step(), loss,
          Evaluation.bitsPerByte(loss), Math.min(n, val.batchCount()), data.val().source());
      return ExitCodes.OK;
    }
  }

  int sample(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins", "prompt", "tokens", "temperature", "seed"), Set.of());
    Path dir = Path.of(a.positional(0, "RUN_DIR"));
    String prompt = a.option("prompt");
    if (prompt == null) {
      throw new Args.UsageException("sample needs --prompt TEXT");
    }
    int tokens = a.option("tokens") == null ? 200 : Integer.parseInt(a.option("tokens"));
    double temperature = a.option("temperature") == null ? 0.8 : Double.parseDouble(a.option("temperature"));
    long seed = a.option("seed") == null ? 1 : Long.parseLong(a.option("seed"));
    try (PluginRegistry registry = registry(a)) {
      Inference inf = Inference.open(dir, registry);
      out.println(prompt + inf.sample(prompt, tokens, temperature, seed));
      return ExitCodes.OK;
    }
  }

  int validate(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("set", "plugins"), Set.of());
    Path config = Path.of(a.positional(0, "CONFIG"));
    RunConfig cfg;
    try {
      cfg = ConfigLoader.load(config, a.all("set"));
    } catch (ConfigException e) {
      e.problems().forEach(p -> err.println(config + ": " + p));
      return ExitCodes.USAGE_OR_CONFIG;
    }
    try (PluginRegistry registry = registry(a)) {
      List<String> problems = RunFactory.pluginProblems(cfg, registry);
      problems.forEach(p -> err.println(config + ": " + p));
      if (!problems.isEmpty()) {
        return ExitCodes.USAGE_OR_CONFIG;
      }
    }
    out.println(config + ": valid");
    return ExitCodes.OK;
  }

  int plugins(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("plugins"), Set.of());
    try (PluginRegistry registry = registry(a)) {
      out.println("plugins folder: " + registry.pluginsDir());
      out.printf("%-10s %-16s %-14s %s%n", "KIND", "ID", "VERSION", "SOURCE");
      for (ExtensionInfo e : registry.extensions()) {
        out.printf("%-10s %-16s %-14s %s%n", e.kind().label(), e.id(), e.version(), e.source());
      }
      reportProblems(registry);
      return ExitCodes.OK;
    }
  }

  int env() {
    BackendInfo.detect().lines().forEach(out::println);
    return ExitCodes.OK;
  }

  int bench(String[] argv) {
    Args a = Args.parse(argv, 1, Set.of("json", "plugins", "case", "arena", "set", "steps"), Set.of());
    Bench.MemoryOptions d = Bench.MemoryOptions.DEFAULTS;
    Bench.MemoryOptions memory = new Bench.MemoryOptions(a.all("case").isEmpty() ? d.cases() : a.all("case"),
        a.all("arena").isEmpty() ? d.arenas() : a.all("arena"), a.all("set"),
        a.option("steps") == null ? d.steps() : Integer.parseInt(a.option("steps")));
    try (PluginRegistry registry = registry(a)) {
      return Bench.run(a.positionals, a.option("json"), registry, out, memory);
    }
  }

  private void reportProblems(PluginRegistry registry) {
    for (String p : registry.problems()) {
      err.println("plugin problem: " + p);
    }
  }

  private static PluginRegistry registry(Args a) {
    String dir = a.option("plugins");
    return dir == null ? PluginRegistry.openDefault() : new PluginRegistry(Path.of(dir));
  }

  private static Path runsRoot(Args a) {
    String out = a.option("out");
    if (out != null) {
      return Path.of(out);
    }
    return Path.of(System.getProperty("roundhouse.runs.dir", "runs"));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
