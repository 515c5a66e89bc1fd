package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The distribution zip this build made, unpacked once per test JVM into a temporary folder (deleted
 * at exit), as a user would unpack it: with the file modes stored in the zip, so a launcher that
 * lost its executable bit fails here too.
 */
final class Dist {
  private static Path home;

  private Dist() {}

  /** The zip, from the build (system property {@code roundhouse.dist.zip}). */
  static Path zip() {
    String zip = System.getProperty("roundhouse.dist.zip");
    assertTrue(zip != null && Files.isRegularFile(Path.of(zip)),
        "roundhouse.dist.zip must name the built zip (run through `mvn verify`), got " + zip);
    return Path.of(zip);
  }

  /** The unpacked installation folder, {@code <tmp>/roundhouse-<version>}. */
  static synchronized Path home() {
    if (home == null) {
      try {
        Path root = Files.createTempDirectory("roundhouse-dist-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
        unzip(zip(), root);
        try (Stream<Path> top = Files.list(root)) {
          home = top.filter(Files::isDirectory).findFirst()
              .orElseThrow(() -> new AssertionError(zip() + " has no top-level folder"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return home;
  }

  /** Unpacks with zipfs, keeping each entry's POSIX permissions where the zip records them. */
  static void unzip(Path zip, Path into) throws IOException {
    URI uri = URI.create("jar:" + zip.toUri());
    try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("enablePosixFileAttributes", "true"));
        Stream<Path> entries = Files.walk(fs.getPath("/"))) {
      for (Path e : entries.toList()) {
        Path target = into.resolve(e.toString().substring(1)).normalize();
        if (!target.startsWith(into)) {
          throw new IOException(zip + ": entry " + e + " points outside the target folder");
        }
        if (Files.isDirectory(e)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(e, target);
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(e);
          if (!perms.isEmpty()) {
            Files.setPosixFilePermissions(target, perms);
          }
        }
      }
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at exit
    }
  }
}
