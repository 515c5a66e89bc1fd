package dev.roundhouse.cli;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.export.ExportException;
import dev.roundhouse.host.registry.PluginFailureException;
import dev.roundhouse.host.registry.UnknownPluginException;
import dev.roundhouse.host.run.CheckpointException;
import dev.roundhouse.host.run.IoReasons;
import dev.roundhouse.host.run.RunDirectoryException;
import dev.roundhouse.host.run.RunDirectoryLockedException;
import dev.roundhouse.host.train.TrainingFailure;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Maps a failure to one clear message on stderr and an exit code (docs/cli.md). Without {@code --verbose} no Java
 * exception class name and no stack trace is printed; each message line is cut to {@link #MAX_LINE} characters.
 */
final class Failures {
  /** Longest message line printed; longer ones (a huge value echoed back) are cut. */
  static final int MAX_LINE = 1000;

  private Failures() {}

  static int report(Throwable e, PrintStream err, boolean verbose) {
    int code = code(e);
    print(err, "roundhouse: " + message(e));
    if (verbose || Boolean.getBoolean("roundhouse.debug")) {
      e.printStackTrace(err);
    }
    return code;
  }

  static int code(Throwable e) {
    if (e instanceof ConfigException || e instanceof RunDirectoryException) {
      return ExitCodes.USAGE_OR_CONFIG;
    }
    if (e instanceof DataException || e instanceof IOException) {
      return ExitCodes.DATA; // a checked IOException comes from reading a data or tokenizer file
    }
    if (e instanceof ExportException || e instanceof UnknownPluginException) {
      return ExitCodes.USAGE_OR_CONFIG;
    }
    if (e instanceof PluginFailureException) {
      return ExitCodes.PLUGIN;
    }
    return ExitCodes.RUN_FAILED;
  }

  /** The message without exception class names. */
  static String message(Throwable e) {
    if (e instanceof ConfigException) {
      return "invalid config: " + e.getMessage();
    }
    if (e instanceof DataException) {
      return "data error: " + e.getMessage();
    }
    if (e instanceof PluginFailureException) {
      return "plugin error: " + e.getMessage();
    }
    if (e instanceof UnknownPluginException || e instanceof ExportException) {
      return e.getMessage();
    }
    if (e instanceof TrainingFailure || e instanceof CheckpointException || e instanceof RunDirectoryLockedException
        || e instanceof RunDirectoryException) {
      return e.getMessage();
    }
    if (e instanceof UncheckedIOException || e instanceof IOException) {
      // our own wrappers already say what failed and why; a bare one gets the OS reason
      String m = e.getMessage();
      Throwable c = e.getCause();
      return m != null && c != null && !m.equals(c.toString()) ? m : "I/O error: " + IoReasons.describe(c == null ? e : c);
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + e.getMessage() + "); give the JVM more with JAVA_OPTS=-Xmx... or shrink the model";
    }
    if (e instanceof StackOverflowError) {
      return "input nested too deeply (stack overflow)";
    }
    StringBuilder sb = new StringBuilder("internal error: ");
    sb.append(e.getMessage() == null ? "no message" : e.getMessage());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null) {
        sb.append("; caused by: ").append(c.getMessage());
      }
    }
    return sb.append(" (run again with --verbose for the details)").toString();
  }

  private static void print(PrintStream err, String message) {
    for (String line : message.split("\n", -1)) {
      err.println(line.length() <= MAX_LINE ? line
          : line.substring(0, MAX_LINE) + "... (" + line.length() + " characters)");
    }
  }
}
