package dev.roundhouse.host.registry;

/**
 * A component config that cannot be used. The message starts with the JSON path at fault, e.g.
 * {@code model.router.auxLossCoef: must be >= 0}.
 */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
