package dev.roundhouse.host.train;

import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.registry.TestPluginJar;
import dev.roundhouse.host.train.faults.FaultyAttentionProvider;
import dev.roundhouse.host.train.faults.NanInjectPrecision;
import dev.roundhouse.host.train.faults.ThrowingRouterProvider;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A plugins folder holding the real plugin jars plus {@code reliability-faults.jar} (plugin id
 * {@code reliability-faults} 1.2.3: {@code faulty} attention and {@code nan-inject} precision) and
 * {@code throwing-ctor.jar} (a router provider whose constructor throws).
 */
final class FaultPlugins {
  static final String PLUGIN_ID = "reliability-faults";
  static final String VERSION = "1.2.3";

  private FaultPlugins() {}

  /** Fills {@code dir} and opens a registry over it. */
  static PluginRegistry registry(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(TinyRuns.pluginsDir(), "*.jar")) {
      for (Path jar : jars) {
        Files.copy(jar, dir.resolve(jar.getFileName()));
      }
    }
    TestPluginJar.plugin(faultsJar(dir), PLUGIN_ID).manifest("Plugin-Version", VERSION)
        .extensions(FaultyAttentionProvider.class, NanInjectPrecision.class).write();
    TestPluginJar.plugin(dir.resolve("throwing-ctor.jar"), "throwing-ctor")
        .extensions(ThrowingRouterProvider.class).write();
    return new PluginRegistry(dir);
  }

  static Path faultsJar(Path dir) {
    return dir.resolve("reliability-faults.jar");
  }
}
