package dev.roundhouse.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Minimal argument parser: positionals, {@code --flag value} options (repeatable ones collected in
 * order), and boolean switches. Unknown options are usage errors naming the option.
 */
final class Args {
  final List<String> positionals = new ArrayList<>();
  final Map<String, List<String>> options = new LinkedHashMap<>();
  final List<String> switches = new ArrayList<>();

  static Args parse(String[] argv, int from, Set<String> valued, Set<String> flags) {
    Args a = new Args();
    for (int i = from; i < argv.length; i++) {
      String s = argv[i];
      if (s.startsWith("--")) {
        String name = s.substring(2);
        String inline = null;
        int eq = name.indexOf('=');
        if (eq > 0 && valued.contains(name.substring(0, eq))) {
          inline = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (valued.contains(name)) {
          if (inline == null) {
            if (i + 1 >= argv.length) {
              throw new UsageException("--" + name + " needs a value");
            }
            inline = argv[++i];
          }
          a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(inline);
        } else if (flags.contains(name)) {
          a.switches.add(name);
        } else {
          throw new UsageException("unknown option " + shown("--" + name));
        }
      } else {
        a.positionals.add(s);
      }
    }
    return a;
  }

  String option(String name) {
    List<String> v = options.get(name);
    return v == null ? null : v.get(v.size() - 1);
  }

  List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }

  /**
   * An integer option in {@code [min, max]}, or {@code dflt} when absent.
   *
   * @throws UsageException naming the option and the value: not an integer, or out of range
   */
  int intOption(String name, int dflt, int min, int max) {
    String v = option(name);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer, got " + shown(v));
    }
    if (n < min || n > max) {
      throw new UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + v.strip());
    }
    return (int) n;
  }

  /** A finite number in {@code [min, max]}, or {@code dflt} when absent; errors name the option and value. */
  double doubleOption(String name, double dflt, double min, double max) {
    String v = option(name);
    if (v == null) {
      return dflt;
    }
    double d;
    try {
      d = Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, got " + shown(v));
    }
    if (!Double.isFinite(d) || d < min || d > max) {
      throw new UsageException("--" + name + " must be a finite number in [" + min + ", " + max + "], got " + shown(v));
    }
    return d;
  }

  /** A long integer, or {@code dflt} when absent; errors name the option and value. */
  long longOption(String name, long dflt) {
    String v = option(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer, got " + shown(v));
    }
  }

  /** A user value for a message: quoted, at most 80 characters. */
  static String shown(String v) {
    return v.length() <= 80 ? "'" + v + "'" : "'" + v.substring(0, 80) + "...' (" + v.length() + " characters)";
  }

  boolean has(String flag) {
    return switches.contains(flag);
  }

  String positional(int i, String what) {
    if (i >= positionals.size()) {
      throw new UsageException("missing " + what);
    }
    return positionals.get(i);
  }

  /** Positional {@code i} as a path; a string that cannot be a path is a usage error naming it. */
  java.nio.file.Path pathPositional(int i, String what) {
    return path(positional(i, what), what);
  }

  /** A path option, or null when absent. */
  java.nio.file.Path pathOption(String name) {
    String v = option(name);
    return v == null ? null : path(v, "--" + name);
  }

  static java.nio.file.Path path(String v, String what) {
    if (v.isBlank()) {
      throw new UsageException(what + " is empty");
    }
    try {
      return java.nio.file.Path.of(v);
    } catch (java.nio.file.InvalidPathException e) {
      throw new UsageException(what + " is not a valid path: " + shown(v));
    }
  }

  /** A usage error: exit code 2 with the message and a hint to --help. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
