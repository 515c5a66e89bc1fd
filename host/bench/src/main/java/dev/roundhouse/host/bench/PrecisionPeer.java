package dev.roundhouse.host.bench;

import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch peer's training step for {@code bench precision}: host/bench/scripts/pytorch_reference.py
 * {@code --bench} on the same resolved config, in fp32 or under {@code torch.autocast("cpu",
 * dtype=torch.bfloat16)}, at a given thread count (torch.set_num_threads, OMP_NUM_THREADS and
 * OPENBLAS_NUM_THREADS all set to it: Debian's torch calls OpenBLAS, whose threads ignore
 * torch.set_num_threads).
 *
 * <p>BLAS: Debian's torch calls whatever libblas.so.3 resolves to; the reference libblas3 runs its
 * gemms at ~3 GFLOP/s. {@code TORCH_BLAS_DIR} names a folder with a faster libblas.so.3 (as in
 * host/bench/scripts/compare_pytorch.sh); without it the OpenBLAS that the build unpacks
 * (host/cli/target/native/org/bytedeco/openblas/...) is linked as libblas.so.3 in a temporary folder,
 * so the peer runs at its fast setting. The peer prints which BLAS it used.
 */
final class PrecisionPeer {
  private static final Pattern MEDIAN = Pattern.compile("median of \\d+ steps: ([0-9.]+) ms");
  private static final Pattern BLAS = Pattern.compile("blas: ([^;]*);");
  private static final String UNPACKED_OPENBLAS = "host/cli/target/native/org/bytedeco/openblas/linux-x86_64/libopenblas.so.0";

  /** One peer measurement: median wall ms, the BLAS it used; or why it was skipped (ms NaN). */
  record Result(double medianMs, String blas, String skipped) {}

  private PrecisionPeer() {}

  static Result run(RunConfig cfg, boolean bf16, int threads, int warmup, int steps) {
    Path script = MemoryCompare.findScript();
    String python = System.getProperty("roundhouse.bench.python", "/usr/bin/python3");
    if (script == null) {
      return new Result(Double.NaN, "", "host/bench/scripts/pytorch_reference.py not found");
    }
    if (!Files.isExecutable(Path.of(python))) {
      return new Result(Double.NaN, "", python + " not found");
    }
    Path cfgFile = null;
    try {
      cfgFile = Files.createTempFile("roundhouse-precision-peer", ".json");
      Files.writeString(cfgFile, Json.pretty(cfg));
      List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--bench", "--config", cfgFile.toString(),
          "--warmup", String.valueOf(warmup), "--steps", String.valueOf(steps), "--threads", String.valueOf(threads)));
      if (bf16) {
        cmd.add("--bf16");
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().remove("LD_PRELOAD");
      pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
      pb.environment().put("OPENBLAS_NUM_THREADS", String.valueOf(threads));
      Path blasDir = blasDir(script);
      if (blasDir != null) {
        String ld = System.getenv("LD_LIBRARY_PATH");
        pb.environment().put("LD_LIBRARY_PATH", blasDir + (ld == null || ld.isBlank() ? "" : ":" + ld));
      }
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      Matcher m = MEDIAN.matcher(output);
      if (rc != 0 || !m.find()) {
        String reason = output.contains("No module named 'torch'") ? python + " has no torch"
            : "exit " + rc + ": " + output.substring(Math.max(0, output.length() - 400)).strip();
        return new Result(Double.NaN, "", reason);
      }
      Matcher b = BLAS.matcher(output);
      return new Result(Double.parseDouble(m.group(1)), b.find() ? b.group(1).strip() : "?", null);
    } catch (IOException e) {
      return new Result(Double.NaN, "", "cannot start " + python + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (cfgFile != null) {
        try {
          Files.deleteIfExists(cfgFile);
        } catch (IOException ignored) {
          // temporary file
        }
      }
    }
  }

  /** TORCH_BLAS_DIR, else a temporary folder with libblas.so.3 -> the build's unpacked OpenBLAS, else null. */
  private static Path blasDir(Path script) {
    String env = System.getenv("TORCH_BLAS_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    // the source tree root is some ancestor of the script (host/bench/scripts/pytorch_reference.py)
    Path openblas = null;
    for (Path dir = script.toAbsolutePath().getParent(); dir != null && openblas == null; dir = dir.getParent()) {
      Path candidate = dir.resolve(UNPACKED_OPENBLAS);
      openblas = Files.isRegularFile(candidate) ? candidate : null;
    }
    if (openblas == null) {
      return null;
    }
    try {
      Path dir = Files.createTempDirectory("roundhouse-torch-blas");
      Files.createSymbolicLink(dir.resolve("libblas.so.3"), openblas.toAbsolutePath());
      dir.toFile().deleteOnExit();
      dir.resolve("libblas.so.3").toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot link OpenBLAS for the PyTorch peer: " + e.getMessage(), e);
    }
  }
}
