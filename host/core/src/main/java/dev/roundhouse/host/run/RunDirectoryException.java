package dev.roundhouse.host.run;

/**
 * A run directory that cannot be used as asked, with a message naming the directory or file and what to do: not a
 * run directory, an unreadable or malformed config.json, no usable checkpoint, not writable, or a resume refused
 * because the config or data changed. Nothing was trained.
 */
public class RunDirectoryException extends RuntimeException {
  public RunDirectoryException(String message) {
    super(message);
  }

  public RunDirectoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
