package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One axis of a sweep (an entry of {@code "axes"} in the sweep file), over one config field named by its dotted JSON
 * path (e.g. {@code "model.moe.router"}, {@code "optimizer.lr"}). Immutable.
 */
public sealed interface Axis {
  /** Where the axis sits in the sweep file, e.g. {@code "axes[1]"}. */
  String where();

  /** The config fields it sets (one, or several for a zipped axis). */
  List<String> paths();

  /** A grid axis: every value, in order ({@code {"path": P, "values": [...]}}). */
  record Grid(String where, String path, List<JsonNode> values) implements Axis {
    public List<String> paths() {
      return List.of(path);
    }
  }

  /** Several grid axes stepped together: the i-th point takes the i-th value of each ({@code {"zip": [...]}}). */
  record Zip(String where, List<Grid> members) implements Axis {
    public List<String> paths() {
      return members.stream().map(Grid::path).toList();
    }

    public int size() {
      return members.get(0).values().size();
    }
  }

  /**
   * A random axis: {@code samples} draws (sweep-level) per grid point, from {@code "uniform": [lo, hi]}, {@code
   * "logUniform": [lo, hi]} (lo > 0), {@code "intUniform": [lo, hi]} (both ends included) or {@code "choice":
   * [...]}.
   */
  record Random(String where, String path, String distribution, double lo, double hi, List<JsonNode> choices)
      implements Axis {
    public List<String> paths() {
      return List.of(path);
    }
  }
}
