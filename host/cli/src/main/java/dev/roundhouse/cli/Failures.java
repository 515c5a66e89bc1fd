package dev.roundhouse.cli;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.export.ExportException;
import dev.roundhouse.host.registry.PluginFailureException;
import dev.roundhouse.host.registry.UnknownPluginException;
import dev.roundhouse.host.run.CheckpointException;
import dev.roundhouse.host.run.RunDirectoryLockedException;
import dev.roundhouse.host.train.TrainingFailure;
import java.io.PrintStream;

/** Maps a failure to one clear message on stderr and an exit code. */
final class Failures {
  private Failures() {}

  static int report(RuntimeException e, PrintStream err) {
    if (e instanceof ConfigException) {
      err.println("roundhouse: invalid config: " + e.getMessage());
      return ExitCodes.USAGE_OR_CONFIG;
    }
    if (e instanceof DataException) {
      err.println("roundhouse: data error: " + e.getMessage());
      return ExitCodes.DATA;
    }
    if (e instanceof ExportException) {
      err.println("roundhouse: " + e.getMessage());
      return ExitCodes.USAGE_OR_CONFIG;
    }
    if (e instanceof UnknownPluginException) {
      err.println("roundhouse: " + e.getMessage());
      return ExitCodes.USAGE_OR_CONFIG;
    }
    if (e instanceof PluginFailureException) {
      err.println("roundhouse: plugin error: " + e.getMessage());
      return ExitCodes.PLUGIN;
    }
    if (e instanceof TrainingFailure || e instanceof CheckpointException || e instanceof RunDirectoryLockedException) {
      err.println("roundhouse: " + e.getMessage());
      return ExitCodes.RUN_FAILED;
    }
    err.println("roundhouse: " + e);
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      err.println("  caused by: " + c);
    }
    if (Boolean.getBoolean("roundhouse.debug")) {
      e.printStackTrace(err);
    }
    return ExitCodes.RUN_FAILED;
  }
}
