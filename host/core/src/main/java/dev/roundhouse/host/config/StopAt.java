package dev.roundhouse.host.config;

/**
 * A time-to-target condition, {@code train.stopAt}: the run ends at the first evaluation whose {@code metric} is at
 * most {@code atMost}, with a checkpoint and a {@code target_reached} event (training seconds and tokens to target)
 * in metrics.jsonl. Example: {@code {"metric": "val_loss", "atMost": 1.8}}.
 *
 * @param metric "val_loss" (mean validation cross-entropy, nats per token; the default) or "val_bpb" (bits per byte)
 * @param atMost the threshold; reached when the metric is {@code <= atMost}
 */
public record StopAt(String metric, Double atMost) {
  /** The metrics a target can name. */
  public static final java.util.List<String> METRICS = java.util.List.of("val_loss", "val_bpb");

  public StopAt {
    metric = metric == null ? "val_loss" : metric;
  }

  /** The metric's value from an evaluation's loss (nats per token) and bits per byte. */
  public double value(double valLoss, double valBpb) {
    return metric.equals("val_bpb") ? valBpb : valLoss;
  }

  /** True when {@code value} reaches the target. */
  public boolean reached(double value) {
    return Double.isFinite(value) && value <= atMost;
  }

  void check(String path, Problems p) {
    if (!METRICS.contains(metric)) {
      p.add(path + ".metric", "must be one of " + String.join(", ", METRICS) + ", got \"" + metric + "\"");
    }
    if (atMost == null) {
      p.add(path + ".atMost", "is required (the threshold the metric must reach, e.g. 1.8)");
    } else if (!Double.isFinite(atMost)) {
      p.add(path + ".atMost", "must be a finite number, got " + atMost);
    }
  }
}
