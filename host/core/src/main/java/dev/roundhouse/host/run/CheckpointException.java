package dev.roundhouse.host.run;

import java.nio.file.Path;

/** A checkpoint could not be written, or is missing, incomplete, truncated or corrupt. Names the file at fault. */
public final class CheckpointException extends RuntimeException {
  private final transient Path file;

  public CheckpointException(Path file, String message) {
    this(file, message, null);
  }

  public CheckpointException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file (or checkpoint directory) at fault. */
  public Path file() {
    return file;
  }
}
