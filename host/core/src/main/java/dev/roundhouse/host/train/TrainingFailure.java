package dev.roundhouse.host.train;

/** A run that cannot continue (non-finite loss or gradient, plugin failure); the message says where. */
public class TrainingFailure extends RuntimeException {
  private final int step;

  public TrainingFailure(int step, String message, Throwable cause) {
    super(message, cause);
    this.step = step;
  }

  public int step() {
    return step;
  }
}
