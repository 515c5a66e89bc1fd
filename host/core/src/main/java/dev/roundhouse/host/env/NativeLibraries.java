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

  /**
   * Which ND4J native build the process runs: the classifier of the loaded libnd4jcpu (read from
   * /proc/self/maps: JavaCPP extracts it to {@code .../<classifier>/libnd4jcpu.so}) and whether
   * that build has oneDNN linked in (ND4J's build information), e.g. {@code "linux-x86_64-onednn
   * (oneDNN + OpenBLAS)"}; for the CUDA backend {@code "cuda"}; "unknown" when neither can be read.
   */
  public static String nd4jNativeBuild() {
    String classifier = "unknown";
    Path maps = Path.of("/proc/self/maps");
    if (Files.isReadable(maps)) {
      try (Stream<String> lines = Files.lines(maps)) {
        classifier = lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
            .filter(p -> p.endsWith("/libnd4jcpu.so") || p.endsWith("/libnd4jcuda.so"))
            .map(p -> Path.of(p).getParent().getFileName().toString())
            .findFirst().orElse("unknown");
      } catch (IOException | RuntimeException e) {
        classifier = "unknown";
      }
    }
    String info;
    try {
      info = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
    } catch (RuntimeException | LinkageError e) {
      info = "";
    }
    String libs = (info.contains("HAVE_ONEDNN") ? "oneDNN" : "")
        + (info.contains("HAVE_OPENBLAS") ? (info.contains("HAVE_ONEDNN") ? " + " : "") + "OpenBLAS" : "")
        + (info.contains("HAVE_CUDNN") ? "cuDNN" : "");
    return classifier + (libs.isEmpty() ? "" : " (" + libs + ")");
  }

  private static boolean isBlas(String file) {
    return file.contains(".so") && (file.startsWith("libopenblas") || file.startsWith("libblas")
        || file.startsWith("libmkl"));
  }
}
