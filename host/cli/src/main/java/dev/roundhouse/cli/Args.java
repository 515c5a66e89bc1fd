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
          throw new UsageException("unknown option --" + name);
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

  boolean has(String flag) {
    return switches.contains(flag);
  }

  String positional(int i, String what) {
    if (i >= positionals.size()) {
      throw new UsageException("missing " + what);
    }
    return positionals.get(i);
  }

  /** A usage error: exit code 2 with the message and a hint to --help. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
