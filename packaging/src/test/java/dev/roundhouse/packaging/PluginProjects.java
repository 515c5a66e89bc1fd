package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds plugin projects the way a third party would, against the plugin API as the distribution's
 * sdk/ ships it, without touching the build's own local repository:
 *
 * <ul>
 *   <li>the engine, API and test-support jars and their published poms are laid out in a fresh temporary local repository (what
 *       {@code sdk/install-api.sh} does with install:install-file, written directly so the test does
 *       not need maven-install-plugin, which {@code mvn verify} never downloads);
 *   <li>every other artifact (ND4J, PF4J, JUnit, Maven's own plugins) comes from the build's local
 *       repository, read as a {@code file://} mirror of every remote: it holds all of them after
 *       {@code mvn verify}, so no network is used, and nothing is written to it.
 * </ul>
 */
final class PluginProjects {
  private final Path repo;
  private final Path settings;

  PluginProjects(Path work) {
    try {
      String outer = System.getProperty("roundhouse.maven.repo");
      assertTrue(outer != null && Files.isDirectory(Path.of(outer)), "roundhouse.maven.repo: " + outer);
      repo = Files.createDirectories(work.resolve("m2"));
      Path sdk = Dist.home().resolve("sdk");
      String version = version();
      for (String artifact : new String[] {"roundhouse-engine", "roundhouse-plugins-api", "roundhouse-test-support"}) {
        Path dir = Files.createDirectories(repo.resolve("dev/roundhouse/" + artifact + "/" + version));
        Files.copy(sdk.resolve(artifact + "-" + version + ".jar"), dir.resolve(artifact + "-" + version + ".jar"));
        Files.copy(sdk.resolve(artifact + ".pom"), dir.resolve(artifact + "-" + version + ".pom"));
      }
      settings = work.resolve("settings.xml");
      Files.writeString(settings, """
          <settings>
            <mirrors>
              <mirror><id>roundhouse-build-repo</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
            </mirrors>
          </settings>
          """.formatted(Path.of(outer).toAbsolutePath().toUri()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Roundhouse version of the distribution, from its folder name roundhouse-VERSION. */
  static String version() {
    return Dist.home().getFileName().toString().substring("roundhouse-".length());
  }

  /** Runs {@code mvn package} (tests included) in {@code project}; returns the one plugin jar it made. */
  Path build(Path project) {
    String mavenHome = System.getProperty("roundhouse.maven.home");
    assertTrue(mavenHome != null && Files.isDirectory(Path.of(mavenHome)), "roundhouse.maven.home: " + mavenHome);
    Launcher.run(project, Map.of("MAVEN_OPTS", "-Xmx512m"), 540, List.of(
        Path.of(mavenHome, "bin", "mvn").toString(), "-B", "-q", "-nsu", "-s", settings.toString(),
        "-Dmaven.repo.local=" + repo, "package")).assertOk();
    try (Stream<Path> s = Files.list(project.resolve("target"))) {
      List<Path> jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).toList();
      assertEquals(1, jars.size(), project + "/target jars: " + jars);
      return jars.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a folder tree (an example project out of the distribution) to {@code to}. */
  static Path copyTree(Path from, Path to) {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
