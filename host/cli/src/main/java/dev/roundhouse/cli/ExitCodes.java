package dev.roundhouse.cli;

/** Process exit codes of the CLI (documented in docs/cli.md). */
final class ExitCodes {
  static final int OK = 0;
  /** Training failed (non-finite loss, plugin error, I/O); run_failed is in metrics.jsonl. */
  static final int RUN_FAILED = 1;
  /** Bad command line or invalid config (an unknown plugin id included); nothing was started. */
  static final int USAGE_OR_CONFIG = 2;
  /** Unusable data (missing, empty, bad header, vocab mismatch); nothing was started. */
  static final int DATA = 3;
  /** A plugin failed: its build(), forward, backward or step threw, or it broke its contract. */
  static final int PLUGIN = 4;
  /** Interrupted (Ctrl-C / SIGTERM): a checkpoint was written, resume with `roundhouse resume`. */
  static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
