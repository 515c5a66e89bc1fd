package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code "slurm"} section of a sweep file: what the job array asks the scheduler for and how a node starts Java.
 * Every field is optional; absent ones are left to the cluster's defaults. Immutable.
 *
 * @param partition   {@code #SBATCH --partition}
 * @param time        {@code #SBATCH --time} per trial, e.g. "00:30:00"
 * @param cpusPerTask {@code #SBATCH --cpus-per-task}; default: the largest train.dataParallel of the
 *                    trials (set by the CLI)
 * @param mem         {@code #SBATCH --mem}, e.g. "4G"
 * @param gres        {@code #SBATCH --gres}, e.g. "gpu:1" (with the CUDA build, docs/gpu.md)
 * @param maxParallel array throttle ({@code --array=...%N}), null for none
 * @param extra       further {@code #SBATCH} lines without the prefix, e.g. "--account=lab" or "--qos=short"
 * @param setup       shell lines run on the node before Java starts, e.g. "module load java/17"
 * @param java        the java command on the nodes (default: this JVM's java, which suits a shared filesystem)
 * @param javaOptions JVM options of the trial process (default -Xmx2g)
 */
public record SlurmOptions(String partition, String time, Integer cpusPerTask, String mem, String gres,
    Integer maxParallel, List<String> extra, String setup, String java, List<String> javaOptions) {

  static final Set<String> KEYS = Set.of("partition", "time", "cpusPerTask", "mem", "gres", "maxParallel", "extra",
      "setup", "java", "javaOptions");

  static SlurmOptions parse(JsonNode n, List<String> p) {
    if (n == null || n.isNull()) {
      return new SlurmOptions(null, null, null, null, null, null, List.of(), null, null, List.of());
    }
    if (!n.isObject()) {
      p.add("slurm: must be an object");
      return parse(null, p);
    }
    n.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        p.add("slurm." + k + ": unknown key (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    });
    for (String k : List.of("partition", "time", "mem", "gres", "setup", "java")) {
      if (n.has(k) && !n.get(k).isTextual()) {
        p.add("slurm." + k + ": must be a string, got " + n.get(k));
      }
    }
    for (String k : List.of("cpusPerTask", "maxParallel")) {
      if (n.has(k) && (!n.get(k).isIntegralNumber() || n.get(k).asInt() < 1)) {
        p.add("slurm." + k + ": must be an integer >= 1, got " + n.get(k));
      }
    }
    return new SlurmOptions(text(n, "partition"), text(n, "time"), integer(n, "cpusPerTask"), text(n, "mem"),
        text(n, "gres"), integer(n, "maxParallel"), strings(n, "extra", p), text(n, "setup"), text(n, "java"),
        strings(n, "javaOptions", p));
  }

  private static String text(JsonNode n, String k) {
    return n.has(k) && n.get(k).isTextual() ? n.get(k).asText() : null;
  }

  private static Integer integer(JsonNode n, String k) {
    return n.has(k) && n.get(k).isIntegralNumber() ? n.get(k).asInt() : null;
  }

  private static List<String> strings(JsonNode n, String k, List<String> p) {
    List<String> out = new ArrayList<>();
    JsonNode a = n.get(k);
    if (a == null) {
      return List.of();
    }
    if (!a.isArray()) {
      p.add("slurm." + k + ": must be an array of strings");
      return List.of();
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).isTextual() || a.get(i).asText().contains("\n")) {
        p.add("slurm." + k + "[" + i + "]: must be a one-line string, got " + a.get(i));
      } else {
        out.add(a.get(i).asText());
      }
    }
    return List.copyOf(out);
  }
}
