package dev.roundhouse.host.data;

/**
 * A data source cannot be used: missing, empty or unreadable path, malformed file, or tokens that do
 * not fit the model's vocabulary. The message is one line and names the file (and the byte offset or
 * line number where one applies). Thrown while loading, before any training starts.
 */
public class DataException extends RuntimeException {

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
