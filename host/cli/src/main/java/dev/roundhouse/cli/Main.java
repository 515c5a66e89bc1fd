package dev.roundhouse.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code roundhouse} headless host: {@code run | resume | eval | sample | validate | plugins |
 * bench | help}. Exit codes: see {@link ExitCodes} and docs/cli.md.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: roundhouse <command> [options]",
      "",
      "  run [CONFIG] [--set key.path=value ...] [--data PATH] [--out DIR] [--plugins DIR] [--force]",
      "        train a model; CONFIG defaults to the embedded tiny MoE (configs/tiny-moe.json) on the",
      "        embedded synthetic corpus; prints a memory estimate first and refuses a config that",
      "        cannot fit in the available memory unless --force",
      "  resume RUN_DIR [--force] [--plugins DIR]   continue a run from its newest good checkpoint",
      "  eval RUN_DIR [--data PATH] [--batches N]  validation loss of a run's newest checkpoint",
      "  sample RUN_DIR --prompt TEXT [--tokens N] [--temperature T] [--seed S]",
      "  validate CONFIG [--set key.path=value ...]   report every problem with its JSON path",
      "  plugins [--plugins DIR]                    list discovered plugins and load problems",
      "  bench [SCENARIO ...] [--json FILE]         benchmarks: matmul, moe, expert-gemms, step, experts, attention",
      "  bench memory [--case C] [--arena A] [--set k=v] [--steps N]  peak memory by phase and category vs PyTorch",
      "  env                                        ND4J backend, devices, memory, BLAS and threads",
      "",
      "exit codes: 0 ok, 1 run failed, 2 usage/config error, 3 data error, 4 plugin error,",
      "            130 interrupted (checkpoint written)");

  private Main() {}

  public static void main(String[] argv) {
    Locale.setDefault(Locale.ROOT);
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs one command; returns the exit code. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
      out.println(USAGE);
      return argv.length == 0 ? ExitCodes.USAGE_OR_CONFIG : ExitCodes.OK;
    }
    Commands c = new Commands(out, err);
    try {
      return switch (argv[0]) {
        case "run" -> c.run(argv);
        case "resume" -> c.resume(argv);
        case "eval" -> c.eval(argv);
        case "sample" -> c.sample(argv);
        case "validate" -> c.validate(argv);
        case "plugins" -> c.plugins(argv);
        case "bench" -> c.bench(argv);
        case "env" -> c.env();
        default -> throw new Args.UsageException("unknown command '" + argv[0] + "'");
      };
    } catch (Args.UsageException e) {
      err.println("roundhouse: " + e.getMessage() + " (see roundhouse --help)");
      return ExitCodes.USAGE_OR_CONFIG;
    } catch (RuntimeException e) {
      return Failures.report(e, err);
    }
  }
}
