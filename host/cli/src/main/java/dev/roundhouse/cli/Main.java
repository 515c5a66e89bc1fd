package dev.roundhouse.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code roundhouse} headless host: {@code run | resume | eval | sample | export | import | validate | plugins |
 * bench | help}. Exit codes: see {@link ExitCodes} and docs/cli.md.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: roundhouse <command> [options]",
      "",
      "  run [CONFIG] [--set key.path=value ...] [--data PATH] [--out DIR] [--plugins DIR ...] [--force]",
      "        train a model; CONFIG defaults to the embedded tiny MoE (configs/tiny-moe.json) on the",
      "        embedded synthetic corpus; prints a memory estimate first and refuses a config that",
      "        cannot fit in the available memory unless --force",
      "  resume RUN_DIR [--force] [--force-data-change] [--restart] [--plugins DIR]",
      "        continue a run from its newest good checkpoint",
      "  eval RUN_DIR [--data PATH] [--batches N]  validation loss of a run's newest checkpoint",
      "  sample RUN_DIR --prompt TEXT [--tokens N] [--temperature T] [--seed S]",
      "  export RUN_DIR --out DIR [--step N]        Hugging Face-style folder (safetensors, config, tokenizer,",
      "        modeling_roundhouse.py for PyTorch); see docs/export.md",
      "  import EXPORT_DIR [--set ...] [--data PATH] [--out DIR]   train a new run starting from an export",
      "  validate CONFIG [--set key.path=value ...]   report every problem with its JSON path",
      "  plugins [--plugins DIR ...]                list extensions (description, config defaults), load problems",
      "  bench [SCENARIO ...] [--json FILE]         benchmarks: matmul, moe, expert-gemms, step, experts, attention",
      "  bench data-prepare [--corpus F] [--tokenizer T]  data prepare MB/s, CPU s/MB and phases per tokenizer",
      "  bench memory [--case C] [--arena A] [--recompute none|attention|moe|block] [--set k=v] [--steps N]"
          + "  peak memory by phase and category vs PyTorch",
      "  env                                        ND4J backend, devices, memory, BLAS and threads",
      SweepCommand.USAGE,
      TokenizerCommand.USAGE,
      DataCommand.USAGE,
      "",
      "every command: --plugins DIR adds a plugins folder to the built-in one (which wins duplicate ids),",
      "  --plugins-only DIR replaces it; --verbose shows PF4J's log and stack traces of failures",
      "",
      "exit codes: 0 ok, 1 run failed, 2 usage/config/run-directory error (unknown plugin ids included),",
      "            3 data error, 4 plugin failed, 130 interrupted by Ctrl-C or SIGTERM (checkpoint written)");

  private Main() {}

  public static void main(String[] argv) {
    Locale.setDefault(Locale.ROOT);
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs one command; returns the exit code. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    boolean verbose = Arrays.asList(argv).contains(Verbosity.FLAG);
    argv = Verbosity.apply(argv);
    if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
      out.println(USAGE);
      return argv.length == 0 ? ExitCodes.USAGE_OR_CONFIG : ExitCodes.OK;
    }
    Commands c = new Commands(out, err, verbose);
    try {
      return switch (argv[0]) {
        case "run" -> c.run(argv);
        case "resume" -> c.resume(argv);
        case "eval" -> c.eval(argv);
        case "sample" -> c.sample(argv);
        case "validate" -> c.validate(argv);
        case "export" -> c.export(argv);
        case "import" -> c.importRun(argv);
        case "plugins" -> c.plugins(argv);
        case "bench" -> c.bench(argv);
        case "env" -> c.env();
        case "sweep" -> new SweepCommand(out, err).run(argv);
        case "tokenizer" -> new TokenizerCommand(out).run(argv);
        case "data" -> new DataCommand(out, err).run(argv);
        default -> throw new Args.UsageException("unknown command " + Args.shown(argv[0]));
      };
    } catch (Args.UsageException e) {
      err.println("roundhouse: " + e.getMessage() + " (see roundhouse --help)");
      return ExitCodes.USAGE_OR_CONFIG;
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError | java.io.IOException e) {
      return Failures.report(e, err, verbose);
    }
  }
}
