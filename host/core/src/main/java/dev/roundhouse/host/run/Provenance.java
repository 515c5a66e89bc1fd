package dev.roundhouse.host.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.roundhouse.api.ApiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a run was made with, written to provenance.json (snake_case keys, sorted). Built with {@link #builder()};
 * collecting never fails: what cannot be found is null.
 *
 * @param nd4jEnvironment subset of {@code Nd4j.getExecutioner().getEnvironmentInformation()}: backend, BLAS vendor
 *                        and threads, OpenMP threads, cores, and every {@code cuda.*} key (devices) when present
 * @param maxHeapBytes    {@code Runtime.maxMemory()}
 * @param startTime       run start, ISO-8601 UTC
 * @param sweep           for a trial of a sweep: {@code {"id", "trial", "index", "point"}} (docs/sweeps.md); absent
 *                        (null) for an ordinary run
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Provenance(
    String roundhouseVersion,
    String apiVersion,
    String gitCommit,
    String javaVersion,
    String javaVendor,
    String osName,
    String osVersion,
    String osArch,
    String nd4jBackend,
    Map<String, String> nd4jEnvironment,
    int cores,
    long maxHeapBytes,
    long seed,
    Instant startTime,
    List<PluginRecord> plugins,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    com.fasterxml.jackson.databind.JsonNode sweep) {

  private static final List<String> ND4J_KEYS =
      List.of("backend", "blas.vendor", "blas.threads", "omp.threads", "cores", "os");

  public Provenance {
    plugins = plugins == null ? List.of() : List.copyOf(plugins);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the environment; set seed, start time, plugins and the directory for git, then {@link #build()}. */
  public static final class Builder {
    private long seed;
    private Instant startTime = Instant.now();
    private List<PluginRecord> plugins = List.of();
    private Path workingDir = Path.of(System.getProperty("user.dir"));
    private boolean gitLookup = true;
    private com.fasterxml.jackson.databind.JsonNode sweep;

    private Builder() {}

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder startTime(Instant startTime) {
      this.startTime = startTime;
      return this;
    }

    public Builder plugins(List<PluginRecord> plugins) {
      this.plugins = plugins;
      return this;
    }

    /** Directory in which {@code git rev-parse HEAD} runs (default: the JVM's working directory). */
    public Builder workingDir(Path dir) {
      this.workingDir = dir;
      return this;
    }

    /** The sweep trial this run is ({@code {"id", "trial", "index", "point"}}); null for an ordinary run. */
    public Builder sweep(com.fasterxml.jackson.databind.JsonNode sweep) {
      this.sweep = sweep;
      return this;
    }

    /** Disables the git lookup (git_commit stays null). */
    public Builder withoutGit() {
      this.gitLookup = false;
      return this;
    }

    public Provenance build() {
      return new Provenance(
          ApiVersion.ROUNDHOUSE,
          ApiVersion.CURRENT,
          gitLookup ? gitCommit(workingDir) : null,
          System.getProperty("java.version"),
          System.getProperty("java.vendor"),
          System.getProperty("os.name"),
          System.getProperty("os.version"),
          System.getProperty("os.arch"),
          detectNd4jBackend(),
          detectNd4jEnvironment(),
          Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory(),
          seed,
          startTime.truncatedTo(ChronoUnit.MILLIS),
          plugins,
          sweep);
    }
  }

  /** HEAD commit of the git work tree containing {@code dir}, or null (no git, not a repo, timeout). */
  static String gitCommit(Path dir) {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD")
          .directory(dir.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      p.getOutputStream().close();
      if (!p.waitFor(3, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readNBytes(200), StandardCharsets.UTF_8).strip();
      }
      return p.exitValue() == 0 && out.matches("[0-9a-f]{40,64}") ? out : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** ND4J backend class name, e.g. {@code CpuBackend}; null on failure. */
  static String detectNd4jBackend() {
    try {
      return Nd4j.getBackend().getClass().getSimpleName();
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** The documented subset of ND4J's environment information (values as strings); null on failure. */
  static Map<String, String> detectNd4jEnvironment() {
    try {
      Map<String, String> out = new TreeMap<>();
      Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
      for (Map.Entry<Object, Object> e : info.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (ND4J_KEYS.contains(key) || key.startsWith("cuda.")) {
          out.put(key, String.valueOf(e.getValue()));
        }
      }
      out.put("blas.library", dev.roundhouse.host.env.NativeLibraries.blasLibraries());
      out.put("nd4j.native.build", dev.roundhouse.host.env.NativeLibraries.nd4jNativeBuild());
      String flags = dev.roundhouse.tensor.Bf16.cpuBf16Flags();
      out.put("cpu.bf16", flags.isEmpty() ? "none (no avx512_bf16/amx_bf16)" : flags);
      out.put("bf16.products", dev.roundhouse.tensor.Bf16.describe());
      out.put("products", dev.roundhouse.tensor.DnnlMatmul.describe());
      return out;
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
