package dev.roundhouse.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The plugin API version plugins declare in {@code Plugin-Requires}, and the Roundhouse version. */
public final class ApiVersion {
  private static final Properties PROPS = load();

  /** Semantic version of this API, e.g. {@code 1.0.0}. */
  public static final String CURRENT = PROPS.getProperty("api.version");

  /** Version of the Roundhouse build this API came from. */
  public static final String ROUNDHOUSE = PROPS.getProperty("roundhouse.version");

  private ApiVersion() {}

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = ApiVersion.class.getResourceAsStream("version.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
