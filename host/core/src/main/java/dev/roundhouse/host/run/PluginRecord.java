package dev.roundhouse.host.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A plugin used by a run, as recorded in provenance.json.
 *
 * @param id      plugin id (PF4J), e.g. {@code roundhouse-routers}; "builtin" for host-provided components
 * @param version plugin version
 * @param jar     absolute jar path, null when built in
 * @param sha256  hex SHA-256 of the jar, null when built in
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PluginRecord(String id, String version, String jar, String sha256) {
  /** Records a plugin, hashing its jar when there is one (a directory plugin gets no hash). */
  public static PluginRecord of(String id, String version, Path jar) {
    if (jar == null) {
      return new PluginRecord(id, version, null, null);
    }
    Path abs = jar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(abs)) {
      return new PluginRecord(id, version, abs.toString(), null);
    }
    try {
      return new PluginRecord(id, version, abs.toString(), Sha256.ofFile(abs));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hash jar of plugin '" + id + "': " + abs, e);
    }
  }
}
