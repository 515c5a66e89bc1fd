package dev.roundhouse.host.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes a real PF4J plugin jar for tests (in the spirit of PF4J's own PluginJar helper): a
 * manifest with the Plugin-* entries, the compiled class files of the given classes (nested and
 * anonymous classes included) copied from the test class path, and a META-INF/extensions.idx
 * listing the extension classes.
 */
public final class TestPluginJar {
  private final Path path;
  private final Map<String, String> manifest = new LinkedHashMap<>();
  private final List<Class<?>> extensions = new ArrayList<>();
  private final List<Class<?>> classes = new ArrayList<>();
  private boolean index = true;

  private TestPluginJar(Path path, String pluginId) {
    this.path = path;
    manifest("Plugin-Id", pluginId);
    manifest("Plugin-Version", "1.2.3");
    manifest("Plugin-Requires", ">=1.0.0 & <2.0.0");
    manifest("Plugin-Class", "org.pf4j.Plugin");
    manifest("Plugin-Provider", "tests");
  }

  /** A plugin jar at {@code path} with plugin id {@code pluginId} (null: none), version 1.2.3, requiring API 1.x. */
  public static TestPluginJar plugin(Path path, String pluginId) {
    return new TestPluginJar(path, pluginId);
  }

  /** Sets a manifest entry; a null value removes it. */
  public TestPluginJar manifest(String key, String value) {
    if (value == null) {
      manifest.remove(key);
    } else {
      manifest.put(key, value);
    }
    return this;
  }

  /** Packs these classes and lists them in META-INF/extensions.idx. */
  public TestPluginJar extensions(Class<?>... types) {
    extensions.addAll(List.of(types));
    return this;
  }

  /** Packs these classes without listing them. */
  public TestPluginJar classes(Class<?>... types) {
    classes.addAll(List.of(types));
    return this;
  }

  /** Leaves META-INF/extensions.idx out. */
  public TestPluginJar noIndex() {
    index = false;
    return this;
  }

  public Path write() throws IOException {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
    Files.createDirectories(path.getParent());
    try (OutputStream out = Files.newOutputStream(path);
        JarOutputStream jar = new JarOutputStream(out, mf)) {
      List<Class<?>> all = new ArrayList<>(extensions);
      all.addAll(classes);
      for (Class<?> c : all) {
        for (Path file : classFiles(c)) {
          String entry = c.getPackageName().replace('.', '/') + "/" + file.getFileName();
          jar.putNextEntry(new JarEntry(entry));
          jar.write(Files.readAllBytes(file));
          jar.closeEntry();
        }
      }
      if (index) {
        StringBuilder idx = new StringBuilder();
        extensions.forEach(c -> idx.append(c.getName()).append('\n'));
        jar.putNextEntry(new JarEntry("META-INF/extensions.idx"));
        jar.write(idx.toString().getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
      }
    }
    return path;
  }

  /** {@code C.class} and every {@code C$*.class} next to it. */
  private static List<Path> classFiles(Class<?> c) throws IOException {
    Path root;
    try {
      root = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Path main = root.resolve(c.getName().replace('.', '/') + ".class");
    List<Path> files = new ArrayList<>(List.of(main));
    try (DirectoryStream<Path> nested = Files.newDirectoryStream(main.getParent(), c.getSimpleName() + "$*.class")) {
      nested.forEach(files::add);
    }
    return files;
  }
}
