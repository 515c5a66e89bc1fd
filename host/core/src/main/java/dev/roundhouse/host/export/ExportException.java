package dev.roundhouse.host.export;

/** An export or import that cannot be done; the message names the component, plugin, tensor or file. */
public final class ExportException extends RuntimeException {
  public ExportException(String message) {
    super(message);
  }

  public ExportException(String message, Throwable cause) {
    super(message, cause);
  }
}
