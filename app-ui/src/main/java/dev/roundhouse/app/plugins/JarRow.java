package dev.roundhouse.app.plugins;

import java.nio.file.Path;

/**
 * One jar file in the plugins folder.
 *
 * @param file the jar (or {@code .jar.disabled}) file
 * @param enabled false when renamed to {@code *.jar.disabled}, which the registry does not load
 * @param pluginId the PF4J id when loaded, else null
 * @param version its version when loaded, else null
 * @param problem the load problems naming this jar, joined, or null
 */
public record JarRow(Path file, boolean enabled, String pluginId, String version, String problem) {
  /** The file name shown in the table. */
  public String name() {
    return file.getFileName().toString();
  }
}
