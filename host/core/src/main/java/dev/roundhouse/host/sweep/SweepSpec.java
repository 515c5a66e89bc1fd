package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.StopAt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed sweep file (format in docs/sweeps.md): a base run config plus fixed overrides, axes, seeds, a trial budget,
 * an optional target and executor settings. Parsing reports every problem with its JSON path in the sweep file;
 * whether the axes name real config fields is checked when the trials are planned ({@link SweepPlan}). Immutable.
 *
 * @param name     the sweep id (also the default folder name under runs/)
 * @param base     the base run config as a JSON tree (from a file next to the sweep file, or inline)
 * @param set      fixed overrides applied to every trial, dotted path to value
 * @param axes     the axes, in file order
 * @param samples  random draws per grid point (only used with random axes)
 * @param seeds    the seeds each point is repeated with; empty: the base config's seed, no repeat
 * @param budget   most trials to plan (null: all)
 * @param drawSeed seed of the random draws (same file, same trials)
 * @param target   the target of time-to-target (null: none)
 * @param stopAtTarget whether trials stop when they reach the target ({@code train.stopAt})
 * @param local    local executor settings ({@code {"threads": N, "javaOptions": [...]}}), may be empty
 * @param slurm    Slurm executor settings ({@link SlurmOptions})
 */
public record SweepSpec(String name, ObjectNode base, Map<String, JsonNode> set, List<Axis> axes, int samples,
    List<Long> seeds, Integer budget, long drawSeed, StopAt target, boolean stopAtTarget, JsonNode local,
    SlurmOptions slurm) {

  static final Set<String> KEYS = Set.of("name", "base", "set", "axes", "samples", "seeds", "budget", "drawSeed",
      "target", "local", "slurm");

  /** Reads and parses a sweep file; a ConfigException lists every problem with its JSON path. */
  public static SweepSpec read(Path file) {
    ObjectNode root = ConfigLoader.readTree(file);
    return parse(root, file.toAbsolutePath().getParent(), file.toString());
  }

  /** Parses a sweep tree; a relative {@code base} path is resolved against {@code dir}. */
  public static SweepSpec parse(ObjectNode root, Path dir, String source) {
    List<String> p = new ArrayList<>();
    root.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        p.add(k + ": unknown key (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    });
    String name = root.path("name").asText("");
    if (!name.matches("[A-Za-z0-9._-]{1,80}") || name.matches("\\.+")) {
      p.add("name: must be 1-80 characters of letters, digits, '.', '_' or '-', got \"" + name + "\"");
    }
    ObjectNode base = base(root.get("base"), dir, p);
    Map<String, JsonNode> set = new LinkedHashMap<>();
    JsonNode setNode = root.get("set");
    if (setNode != null && !setNode.isObject()) {
      p.add("set: must be an object of \"dotted.path\": value");
    } else if (setNode != null) {
      setNode.fields().forEachRemaining(f -> set.put(f.getKey(), f.getValue()));
    }
    List<Axis> axes = new ArrayList<>();
    JsonNode axesNode = root.get("axes");
    if (axesNode != null && !axesNode.isArray()) {
      p.add("axes: must be an array of axes");
    } else if (axesNode != null) {
      for (int i = 0; i < axesNode.size(); i++) {
        Axis a = axis(axesNode.get(i), "axes[" + i + "]", p, true);
        if (a != null) {
          axes.add(a);
        }
      }
    }
    int samples = positiveInt(root, "samples", 1, p);
    List<Long> seeds = seeds(root.get("seeds"), p);
    Integer budget = root.has("budget") ? positiveInt(root, "budget", 1, p) : null;
    long drawSeed = root.path("drawSeed").asLong(0);
    StopAt target = null;
    boolean stop = true;
    JsonNode t = root.get("target");
    if (t != null) {
      if (!t.isObject()) {
        p.add("target: must be an object {\"metric\": \"val_loss\", \"atMost\": 1.8, \"stop\": true}");
      } else {
        String metric = t.path("metric").asText("val_loss");
        if (!StopAt.METRICS.contains(metric)) {
          p.add("target.metric: must be one of " + String.join(", ", StopAt.METRICS) + ", got \"" + metric + "\"");
        }
        if (!t.path("atMost").isNumber()) {
          p.add("target.atMost: must be a number (the threshold), got " + t.path("atMost"));
        }
        if (t.has("stop") && !t.get("stop").isBoolean()) {
          p.add("target.stop: must be true or false");
        }
        stop = t.path("stop").asBoolean(true);
        target = new StopAt(metric, t.path("atMost").asDouble());
      }
    }
    JsonNode local = root.path("local");
    if (!local.isMissingNode() && !local.isObject()) {
      p.add("local: must be an object {\"threads\": N, \"javaOptions\": [...]}");
    } else if (local.has("threads") && (!local.get("threads").canConvertToInt() || local.get("threads").asInt() < 1
        || !local.get("threads").isIntegralNumber())) {
      p.add("local.threads: must be an integer >= 1, got " + local.get("threads"));
    }
    SlurmOptions slurm = SlurmOptions.parse(root.get("slurm"), p);
    if (!p.isEmpty()) {
      throw new ConfigException(source, p);
    }
    return new SweepSpec(name, base, set, List.copyOf(axes), samples, seeds, budget, drawSeed, target, stop,
        local.isMissingNode() ? root.objectNode() : local, slurm);
  }

  private static ObjectNode base(JsonNode node, Path dir, List<String> p) {
    if (node == null || node.isNull()) {
      return ConfigLoader.readTree(null); // the embedded tiny MoE
    }
    if (node.isObject()) {
      return (ObjectNode) node.deepCopy();
    }
    if (!node.isTextual()) {
      p.add("base: must be a config file path (relative to the sweep file) or an inline config object");
      return null;
    }
    Path file = dir == null ? Path.of(node.asText()) : dir.resolve(node.asText());
    if (!Files.isRegularFile(file)) {
      p.add("base: config file " + file + " not found");
      return null;
    }
    try {
      return ConfigLoader.readTree(file);
    } catch (ConfigException e) {
      e.problems().forEach(x -> p.add("base (" + file + "): " + x));
      return null;
    }
  }

  static Axis axis(JsonNode n, String where, List<String> p, boolean top) {
    if (n == null || !n.isObject()) {
      p.add(where + ": must be an object with \"path\" and \"values\" (or a random draw), or {\"zip\": [...]}");
      return null;
    }
    if (n.has("zip")) {
      if (!top) {
        p.add(where + ".zip: zips do not nest");
        return null;
      }
      JsonNode z = n.get("zip");
      if (!z.isArray() || z.size() < 2) {
        p.add(where + ".zip: must be an array of at least two grid axes");
        return null;
      }
      List<Axis.Grid> members = new ArrayList<>();
      for (int i = 0; i < z.size(); i++) {
        Axis a = axis(z.get(i), where + ".zip[" + i + "]", p, false);
        if (a instanceof Axis.Grid g) {
          members.add(g);
        } else if (a != null) {
          p.add(where + ".zip[" + i + "]: a zipped axis must be a grid axis (\"values\")");
        }
      }
      if (members.size() == z.size()) {
        int size = members.get(0).values().size();
        for (int i = 1; i < members.size(); i++) {
          if (members.get(i).values().size() != size) {
            p.add(where + ".zip[" + i + "].values: has " + members.get(i).values().size() + " values, "
                + where + ".zip[0].values has " + size + "; zipped axes must have equal lengths");
          }
        }
        return new Axis.Zip(where, List.copyOf(members));
      }
      return null;
    }
    JsonNode path = n.get("path");
    if (path == null || !path.isTextual() || !path.asText().matches("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*")) {
      p.add(where + ".path: must be a dotted config field path such as \"optimizer.lr\", got " + path);
      return null;
    }
    List<String> kinds = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("path")) {
        kinds.add(k);
      }
    }
    if (kinds.size() != 1) {
      p.add(where + ": needs exactly one of values, uniform, logUniform, intUniform, choice; got " + kinds);
      return null;
    }
    String kind = kinds.get(0);
    JsonNode v = n.get(kind);
    switch (kind) {
      case "values", "choice" -> {
        if (!v.isArray() || v.isEmpty()) {
          p.add(where + "." + kind + ": must be a non-empty array");
          return null;
        }
        List<JsonNode> values = new ArrayList<>();
        ((ArrayNode) v).forEach(x -> values.add(x.deepCopy()));
        return kind.equals("values") ? new Axis.Grid(where, path.asText(), List.copyOf(values))
            : new Axis.Random(where, path.asText(), "choice", 0, 0, List.copyOf(values));
      }
      case "uniform", "logUniform", "intUniform" -> {
        if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
          p.add(where + "." + kind + ": must be [lo, hi] (two numbers)");
          return null;
        }
        double lo = v.get(0).asDouble();
        double hi = v.get(1).asDouble();
        if (!(lo < hi) && !(kind.equals("intUniform") && lo == hi)) {
          p.add(where + "." + kind + ": lo must be below hi, got [" + lo + ", " + hi + "]");
        }
        if (kind.equals("logUniform") && lo <= 0) {
          p.add(where + ".logUniform: lo must be > 0, got " + lo);
        }
        if (kind.equals("intUniform") && (!v.get(0).isIntegralNumber() || !v.get(1).isIntegralNumber())) {
          p.add(where + ".intUniform: bounds must be integers");
        }
        return new Axis.Random(where, path.asText(), kind, lo, hi, List.of());
      }
      default -> {
        p.add(where + "." + kind + ": unknown axis kind (known: values, uniform, logUniform, intUniform, choice,"
            + " zip)");
        return null;
      }
    }
  }

  private static int positiveInt(JsonNode root, String key, int dflt, List<String> p) {
    JsonNode n = root.get(key);
    if (n == null) {
      return dflt;
    }
    if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > 100_000) {
      p.add(key + ": must be an integer in [1, 100000], got " + n);
      return dflt;
    }
    return n.asInt();
  }

  private static List<Long> seeds(JsonNode n, List<String> p) {
    if (n == null) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        if (!n.get(i).isIntegralNumber()) {
          p.add("seeds[" + i + "]: must be an integer, got " + n.get(i));
        } else {
          out.add(n.get(i).asLong());
        }
      }
      if (n.isEmpty()) {
        p.add("seeds: must not be empty");
      }
      return List.copyOf(out);
    }
    p.add("seeds: must be an array of integer seeds, e.g. [1, 2, 3]");
    return List.of();
  }

  /** The local executor's thread budget from the file, or null. */
  public Integer localThreads() {
    return local.has("threads") ? local.get("threads").asInt() : null;
  }

  /** Extra JVM options for trial processes ({@code local.javaOptions}), default {@code -Xmx1g}. */
  public List<String> localJavaOptions() {
    List<String> out = new ArrayList<>();
    local.path("javaOptions").forEach(x -> out.add(x.asText()));
    return out.isEmpty() ? List.of("-Xmx1g") : out;
  }

  /** Reads the text of a file for error messages; null if unreadable. */
  static String readQuietly(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      return null;
    }
  }
}
