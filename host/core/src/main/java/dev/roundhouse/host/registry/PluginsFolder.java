package dev.roundhouse.host.registry;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where the plugins folder is when nobody says: see {@link PluginRegistry#defaultPluginsDir()}.
 *
 * <p>The installation directory is found in this order:
 *
 * <ol>
 *   <li>system property {@code roundhouse.home} (launcher scripts may set it);
 *   <li>from the jar this class was loaded from: {@code <home>/lib/roundhouse-core.jar} (dist zip)
 *       and {@code <home>/lib/app/roundhouse-core.jar} (jpackage app-image) give {@code <home>}; a jar
 *       anywhere else gives the folder it lies in;
 *   <li>otherwise (running from a build tree's {@code target/classes}) the working directory.
 * </ol>
 */
final class PluginsFolder {
  static final String DIR_PROPERTY = "roundhouse.plugins.dir";
  static final String DIR_ENV = "ROUNDHOUSE_PLUGINS_DIR";
  static final String HOME_PROPERTY = "roundhouse.home";

  private PluginsFolder() {}

  static Path defaultDir() {
    String prop = System.getProperty(DIR_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return absolute(Path.of(prop.trim()));
    }
    String env = System.getenv(DIR_ENV);
    if (env != null && !env.isBlank()) {
      return absolute(Path.of(env.trim()));
    }
    return installationDir().resolve("plugins");
  }

  static Path installationDir() {
    String home = System.getProperty(HOME_PROPERTY);
    if (home != null && !home.isBlank()) {
      return absolute(Path.of(home.trim()));
    }
    Path code = codeLocation();
    if (code != null && Files.isRegularFile(code)) {
      Path dir = code.getParent();
      Path name = dir.getFileName();
      if (name != null && name.toString().equals("app") && isNamed(dir.getParent(), "lib")) {
        return dir.getParent().getParent();
      }
      if (isNamed(dir, "lib") && dir.getParent() != null) {
        return dir.getParent();
      }
      return dir;
    }
    return absolute(Path.of(""));
  }

  private static boolean isNamed(Path dir, String name) {
    return dir != null && dir.getFileName() != null && dir.getFileName().toString().equals(name);
  }

  private static Path codeLocation() {
    try {
      CodeSource cs = PluginsFolder.class.getProtectionDomain().getCodeSource();
      URL url = cs == null ? null : cs.getLocation();
      return url == null ? null : absolute(Path.of(url.toURI()));
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  private static Path absolute(Path p) {
    return p.toAbsolutePath().normalize();
  }
}
