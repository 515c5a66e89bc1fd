package dev.roundhouse.host.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;

/** Checks a jar before PF4J sees it, so each kind of bad jar gets its own plain-words reason. */
final class JarCheck {
  private JarCheck() {}

  /** Why {@code jar} cannot be a plugin, or null when it opens and its manifest names one. */
  static String problem(Path jar) {
    try (JarFile jf = new JarFile(jar.toFile())) {
      Manifest m = jf.getManifest();
      if (m == null) {
        return "not a plugin jar: it has no META-INF/MANIFEST.MF";
      }
      Attributes a = m.getMainAttributes();
      for (String key : new String[] {"Plugin-Id", "Plugin-Version", "Plugin-Class"}) {
        String v = a.getValue(key);
        if (v == null || v.isBlank()) {
          return "not a plugin jar: its manifest has no " + key;
        }
      }
      return null;
    } catch (ZipException e) {
      return "not a valid jar file (corrupt or truncated: " + e.getMessage() + ")";
    } catch (IOException | SecurityException e) {
      return "cannot read the jar: " + e;
    }
  }

  /** A main-attribute of the jar's manifest; call only after {@link #problem} returned null. */
  static String manifestValue(Path jar, String key) {
    try (JarFile jf = new JarFile(jar.toFile())) {
      return jf.getManifest().getMainAttributes().getValue(key).trim();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + jar, e);
    }
  }

  /** Binary names of the classes in the jar ({@code a.b.C$D}); empty if it cannot be read. */
  static java.util.List<String> classNames(Path jar) {
    java.util.List<String> out = new java.util.ArrayList<>();
    try (JarFile jf = new JarFile(jar.toFile())) {
      jf.stream().map(java.util.jar.JarEntry::getName)
          .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
          .forEach(n -> out.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
    } catch (IOException e) {
      // a jar that cannot be read now attributes nothing
    }
    return out;
  }

  /** Whether the jar holds an entry of that name. */
  static boolean hasEntry(Path jar, String name) {
    try (JarFile jf = new JarFile(jar.toFile())) {
      return jf.getEntry(name) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** Lower-case hex SHA-256 of the file's bytes. */
  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot hash " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
