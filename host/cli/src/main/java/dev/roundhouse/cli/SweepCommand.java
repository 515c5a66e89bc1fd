package dev.roundhouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.sweep.LocalExecutor;
import dev.roundhouse.host.sweep.SlurmExecutor;
import dev.roundhouse.host.sweep.SlurmOptions;
import dev.roundhouse.host.sweep.SweepFolder;
import dev.roundhouse.host.sweep.SweepPlan;
import dev.roundhouse.host.sweep.SweepReport;
import dev.roundhouse.host.sweep.SweepSpec;
import dev.roundhouse.host.sweep.SweepTrials;
import dev.roundhouse.host.sweep.TrialState;
import dev.roundhouse.host.train.Runs;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code roundhouse sweep ...}: run a sweep file ({@code sweep SWEEP.json [--executor local|slurm] [--out DIR]
 * [--wait] [--threads N]}), and {@code sweep status|cancel|report DIR}; {@code sweep trial DIR INDEX} is what every
 * executor runs for one trial (docs/sweeps.md).
 */
final class SweepCommand {
  static final String USAGE = String.join("\n",
      "  sweep SWEEP.json [--executor local|slurm] [--out DIR] [--wait] [--threads N] [--plugins DIR]",
      "        run every trial of a sweep (docs/sweeps.md); rerunning skips finished trials and resumes the rest",
      "  sweep status DIR | sweep cancel DIR | sweep report DIR [--csv FILE] [--json FILE]",
      "  sweep trial DIR INDEX [--plugins DIR]      run (or resume) one trial: what each executor starts");

  private final PrintStream out;
  private final PrintStream err;

  SweepCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String[] argv) {
    try {
      return dispatch(argv);
    } catch (SlurmExecutor.SlurmException e) {
      err.println("roundhouse: " + e.getMessage());
      return ExitCodes.USAGE_OR_CONFIG;
    }
  }

  private int dispatch(String[] argv) {
    String sub = argv.length > 1 ? argv[1] : "";
    return switch (sub) {
      case "status" -> status(Args.parse(argv, 2, Set.of(), Set.of()));
      case "cancel" -> cancel(Args.parse(argv, 2, Set.of(), Set.of()));
      case "report" -> report(Args.parse(argv, 2, Set.of("csv", "json"), Set.of()));
      case "trial" -> trial(Args.parse(argv, 2, Set.of("plugins"), Set.of()));
      case "" -> throw new Args.UsageException("sweep needs a SWEEP.json file, or status|cancel|report DIR");
      default -> sweep(Args.parse(argv, 1, Set.of("executor", "out", "threads", "plugins"), Set.of("wait")));
    };
  }

  private int sweep(Args a) {
    Path file = Path.of(a.positional(0, "SWEEP.json"));
    String executor = a.option("executor") == null ? "local" : a.option("executor");
    if (!executor.equals("local") && !executor.equals("slurm")) {
      throw new Args.UsageException("--executor must be local or slurm, got " + executor);
    }
    SweepSpec spec;
    try {
      spec = SweepSpec.read(file);
    } catch (ConfigException e) {
      e.problems().forEach(p -> err.println(file + ": " + p));
      return ExitCodes.USAGE_OR_CONFIG;
    }
    SweepPlan plan;
    List<String> problems;
    try (PluginRegistry registry = registry(a)) {
      plan = SweepPlan.of(spec);
      problems = plan.problems(registry);
      if (problems.isEmpty()) {
        Path out = a.option("out") == null ? runsRoot().resolve(spec.name()) : Path.of(a.option("out"));
        String plugins = registry.pluginsDir().toAbsolutePath().toString();
        if (plan.unbudgetedCount() > plan.trials().size()) {
          this.out.println("budget: " + plan.trials().size() + " of " + plan.unbudgetedCount() + " trials");
        }
        return executor.equals("local") ? local(a, spec, plan, file, out, plugins)
            : slurm(a, spec, plan, file, out, plugins);
      }
    }
    problems.forEach(p -> err.println(file + ": " + p));
    err.println(file + ": " + problems.size() + " problem" + (problems.size() > 1 ? "s" : "")
        + "; nothing was started");
    return ExitCodes.USAGE_OR_CONFIG;
  }

  private int local(Args a, SweepSpec spec, SweepPlan plan, Path file, Path dir, String plugins) {
    int threads = a.option("threads") != null ? positiveInt(a.option("threads"), "--threads")
        : spec.localThreads() != null ? spec.localThreads() : LocalExecutor.defaultThreads();
    try (SweepFolder folder = SweepFolder.claim(dir, plan, file.toAbsolutePath().toString(), "local")) {
      out.println("sweep " + spec.name() + ": " + plan.trials().size() + " trials in " + folder.root() + ", local, "
          + threads + " thread" + (threads > 1 ? "s" : ""));
      List<String> java = new ArrayList<>(spec.localJavaOptions());
      LocalExecutor ex = new LocalExecutor(folder, i -> trialCommand(java, folder, i, plugins), threads, out);
      CountDownLatch done = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        ex.stop();
        try {
          done.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "roundhouse-sweep-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      LocalExecutor.Result r;
      try {
        r = ex.run();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it stopped the trials
        }
      }
      try {
        SweepReport report = SweepReport.of(folder);
        report.write();
        out.print(report.table());
      } finally {
        done.countDown();
      }
      out.println(r.done() + " done, " + r.failed() + " failed, " + r.left() + " left; report: "
          + folder.root().resolve("report.json"));
      if (r.left() > 0) {
        out.println("interrupted: rerun the same command to resume");
        return ExitCodes.INTERRUPTED;
      }
      return r.failed() > 0 ? ExitCodes.RUN_FAILED : ExitCodes.OK;
    }
  }

  private int slurm(Args a, SweepSpec spec, SweepPlan plan, Path file, Path dir, String plugins) {
    if (!SlurmExecutor.available()) {
      throw new SlurmExecutor.SlurmException("slurm executor: sbatch not found or not working on this machine (is"
          + " this a Slurm login node with Slurm on the PATH?); use --executor local to run here");
    }
    String job;
    SweepFolder folder = SweepFolder.claim(dir, plan, file.toAbsolutePath().toString(), "slurm");
    try {
      SlurmExecutor slurm = new SlurmExecutor(folder);
      if (slurm.active()) {
        throw new ConfigException(folder.root() + ": job " + slurm.jobId() + " of this sweep is still queued or"
            + " running; see roundhouse sweep status " + folder.root() + " (or cancel it)");
      }
      List<Integer> todo = new ArrayList<>();
      for (JsonNode t : folder.trials()) {
        if (folder.state(t.path("id").asText()).status() != TrialState.Status.DONE) {
          todo.add(t.path("index").asInt());
        }
      }
      if (todo.isEmpty()) {
        out.println("sweep " + spec.name() + ": every trial has finished; nothing to submit");
        return ExitCodes.OK;
      }
      List<String> javaOptions = new ArrayList<>(spec.slurm().javaOptions().isEmpty() ? List.of("-Xmx2g")
          : spec.slurm().javaOptions());
      javaOptions.addAll(hostOptions(plugins));
      List<String> cmd = List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "sweep", "trial",
          folder.root().toString(), "--plugins", plugins);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "1"));
      for (Map.Entry<String, String> e : System.getenv().entrySet()) {
        if (e.getKey().equals("LD_PRELOAD") || e.getKey().startsWith("ROUNDHOUSE_")) {
          env.put(e.getKey(), e.getValue());
        }
      }
      // the trial index comes last: "sweep trial DIR --plugins P INDEX" parses the same
      SlurmOptions o = spec.slurm();
      if (o.cpusPerTask() == null) { // a trial's threads are its data-parallel shards
        int shards = plan.trials().stream()
            .mapToInt(t -> Math.max(1, t.config().path("train").path("dataParallel").asInt(1))).max().orElse(1);
        o = new SlurmOptions(o.partition(), o.time(), shards, o.mem(), o.gres(), o.maxParallel(), o.extra(),
            o.setup(), o.java(), o.javaOptions());
      }
      String script = slurm.script(o, todo, javaOptions, cmd, env);
      job = slurm.submit(script, todo);
      out.println("sweep " + spec.name() + ": submitted job array " + job + " (" + todo.size() + " of "
          + plan.trials().size() + " trials) from " + folder.slurmDir().resolve("array.sbatch"));
    } finally {
      folder.close();
    }
    if (!a.has("wait")) {
      out.println("follow it with: roundhouse sweep status " + folder.root());
      return ExitCodes.OK;
    }
    SlurmExecutor slurm = new SlurmExecutor(folder);
    try {
      for (int quiet = 0; quiet < 2; ) { // two quiet polls in a row: a failed squeue call is no end
        Thread.sleep(2000);
        quiet = slurm.active() ? 0 : quiet + 1;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.INTERRUPTED;
    }
    int code = status(folder);
    SweepReport report = SweepReport.of(folder);
    report.write();
    out.print(report.table());
    return code;
  }

  private int status(Args a) {
    return status(SweepFolder.open(Path.of(a.positional(0, "DIR"))));
  }

  /** Prints every trial's state; 0 when all finished, 1 when any failed, 130 when some are unfinished. */
  private int status(SweepFolder folder) {
    SlurmExecutor slurm = new SlurmExecutor(folder);
    Map<Integer, String> sched = Map.of();
    if (slurm.jobId() != null) {
      try {
        sched = slurm.states();
      } catch (SlurmExecutor.SlurmException e) {
        err.println(e.getMessage() + "; showing the run directories only");
      }
      out.println("sweep " + folder.id() + ": Slurm job " + slurm.jobId());
    } else {
      out.println("sweep " + folder.id());
    }
    int done = 0;
    int failed = 0;
    int total = 0;
    for (JsonNode t : folder.trials()) {
      total++;
      String id = t.path("id").asText();
      TrialState s = folder.state(id);
      String q = sched.get(t.path("index").asInt());
      boolean schedFailed = q != null && (q.startsWith("FAILED") || q.startsWith("TIMEOUT") || q.startsWith("OUT_OF")
          || q.startsWith("NODE_FAIL"));
      out.printf("%-10s %-12s %-12s step %-6d %s%n", id, s.status().label(), q == null ? "" : q.toLowerCase(),
          s.step(), point(t));
      if (s.status() == TrialState.Status.DONE) {
        done++;
      } else if (s.status() == TrialState.Status.FAILED || schedFailed) {
        failed++;
        if (s.error() != null) {
          out.println("    error: " + s.error());
        }
        String tail = folder.logTail(id, 10);
        if (!tail.isEmpty()) {
          out.println("    log tail (" + folder.root().relativize(folder.logFile(id)) + "):\n      "
              + tail.replace("\n", "\n      "));
        }
      }
    }
    out.println(done + " of " + total + " done, " + failed + " failed");
    return failed > 0 ? ExitCodes.RUN_FAILED : done == total ? ExitCodes.OK : ExitCodes.INTERRUPTED;
  }

  private int cancel(Args a) {
    SweepFolder folder = SweepFolder.open(Path.of(a.positional(0, "DIR")));
    String job = new SlurmExecutor(folder).cancel();
    out.println("cancelled Slurm job " + job + "; running trials write a checkpoint; rerun the sweep to resume");
    return ExitCodes.OK;
  }

  private int report(Args a) {
    SweepFolder folder = SweepFolder.open(Path.of(a.positional(0, "DIR")));
    SweepReport report = SweepReport.of(folder);
    List<Path> files = report.write();
    out.print(report.table());
    try {
      if (a.option("csv") != null) {
        Files.writeString(Path.of(a.option("csv")), report.csv());
      }
      if (a.option("json") != null) {
        Files.writeString(Path.of(a.option("json")), dev.roundhouse.host.run.Json.pretty(report.json()));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e.getMessage(), e);
    }
    out.println("wrote " + files.stream().map(p -> folder.root().relativize(p).toString()).toList());
    return ExitCodes.OK;
  }

  /** One trial in this process: created, or resumed from its newest checkpoint; a finished one is left alone. */
  private int trial(Args a) {
    SweepFolder folder = SweepFolder.open(Path.of(a.positional(0, "DIR")));
    JsonNode entry = folder.trial(a.positional(1, "INDEX"));
    Commands c = new Commands(out, err, false);
    try (PluginRegistry registry = registry(a)) {
      for (String p : registry.problems()) {
        err.println("plugin problem: " + p);
      }
      Runs.Prepared p = SweepTrials.prepare(folder, entry, registry, new EventBus());
      if (p == null) {
        out.println(entry.path("id").asText() + " has already finished");
        return ExitCodes.OK;
      }
      out.println("sweep " + folder.id() + " " + entry.path("id").asText() + ": " + point(entry));
      return c.train(bus -> p);
    }
  }

  private static String point(JsonNode t) {
    StringBuilder b = new StringBuilder();
    t.path("point").fields().forEachRemaining(f -> b.append(b.length() == 0 ? "" : " ").append(f.getKey())
        .append('=').append(f.getValue()));
    return b.toString();
  }

  /** The child command of a local trial: this JVM's java and class path, the ordinary host's main class. */
  private static List<String> trialCommand(List<String> javaOptions, SweepFolder folder, int index, String plugins) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOptions);
    cmd.addAll(hostOptions(plugins));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "sweep", "trial",
        folder.root().toString(), String.valueOf(index), "--plugins", plugins));
    return cmd;
  }

  /** The JVM options the roundhouse script gives the host (see that script for why). */
  private static List<String> hostOptions(String plugins) {
    return List.of("-Xss8m", "-Djdk.lang.processReaperUseDefaultStackSize=true",
        "-Droundhouse.plugins.dir=" + plugins,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("org.slf4j.simpleLogger.defaultLogLevel",
            "warn"));
  }

  private static int positiveInt(String s, String what) {
    try {
      int v = Integer.parseInt(s);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Args.UsageException(what + " must be an integer >= 1, got " + s);
  }

  private static PluginRegistry registry(Args a) {
    String dir = a.option("plugins");
    return dir == null ? PluginRegistry.openDefault() : new PluginRegistry(Path.of(dir));
  }

  private static Path runsRoot() {
    return Path.of(System.getProperty("roundhouse.runs.dir", "runs"));
  }
}
