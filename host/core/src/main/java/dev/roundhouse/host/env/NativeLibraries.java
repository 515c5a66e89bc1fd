package dev.roundhouse.host.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which BLAS shared libraries the process has mapped, read from {@code /proc/self/maps} (Linux).
 * The {@code ./roundhouse} launcher may preload a newer OpenBLAS than the one ND4J bundles; when
 * it does, the preloaded library comes first. Reported in {@code roundhouse env}, run provenance
 * and benchmark headers so timings say which gemm kernels produced them.
 */
public final class NativeLibraries {
  private NativeLibraries() {}

  /**
   * Comma-separated paths of the mapped BLAS libraries (libopenblas*, libblas*, libmkl*; not the
   * JNI wrappers), the LD_PRELOAD one first when set; "unknown" where /proc is not readable.
   */
  public static String blasLibraries() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return "unknown";
    }
    Set<String> libs = new LinkedHashSet<>();
    String preload = System.getenv("LD_PRELOAD");
    if (preload != null && preload.contains("blas")) {
      libs.add(preload.split(":")[0] + " (preloaded)");
    }
    try (Stream<String> lines = Files.lines(maps)) {
      lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
          .filter(p -> p.startsWith("/") && isBlas(p.substring(p.lastIndexOf('/') + 1)))
          .filter(p -> preload == null || !preload.contains(p))
          .forEach(libs::add);
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return libs.isEmpty() ? "none mapped yet" : String.join(", ", libs);
  }

  private static boolean isBlas(String file) {
    return file.contains(".so") && (file.startsWith("libopenblas") || file.startsWith("libblas")
        || file.startsWith("libmkl"));
  }
}
