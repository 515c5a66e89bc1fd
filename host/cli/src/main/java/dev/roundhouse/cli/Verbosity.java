package dev.roundhouse.cli;

import java.util.Arrays;

/**
 * The global {@code --verbose} switch (anywhere on the command line). Without it PF4J's own log lines
 * (warnings and stack traces about plugin jars) are silenced: each plugin problem is printed once, as
 * one {@code plugin problem:} line. With it PF4J logs at the launcher's level and failures print their
 * stack traces ({@code roundhouse.debug}). Must run before the first logger is created.
 */
final class Verbosity {
  static final String FLAG = "--verbose";
  private static final String PF4J_LEVEL = "org.slf4j.simpleLogger.log.org.pf4j";

  private Verbosity() {}

  /** Applies the switch and returns {@code argv} without it. An explicit -D setting is never overridden. */
  static String[] apply(String[] argv) {
    boolean verbose = Arrays.asList(argv).contains(FLAG);
    if (verbose) {
      setIfAbsent("roundhouse.debug", "true");
    } else {
      setIfAbsent(PF4J_LEVEL, "off");
    }
    return Arrays.stream(argv).filter(a -> !a.equals(FLAG)).toArray(String[]::new);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
