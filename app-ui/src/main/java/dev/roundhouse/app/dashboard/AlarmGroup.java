package dev.roundhouse.app.dashboard;

/**
 * The alarms of one kind on one layer, folded together: how often, first and last step, the newest message.
 *
 * @param layer MoE layer, or null for run-wide alarms (non-finite loss, loss spike)
 */
public record AlarmGroup(String kind, Integer layer, int count, long firstStep, long lastStep, String lastMessage) {

  /** "layer 2" or "-". */
  public String layerText() {
    return layer == null ? "-" : String.valueOf(layer);
  }

  /** The same group with one more alarm at {@code step}. */
  AlarmGroup plus(long step, String message) {
    return new AlarmGroup(kind, layer, count + 1, Math.min(firstStep, step), Math.max(lastStep, step), message);
  }
}
