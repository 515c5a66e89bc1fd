package dev.roundhouse.host.env;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What ND4J runs on: backend, BLAS, threads, devices and memory, for {@code roundhouse env}, run
 * provenance and the GPU tests' skip decision. Read from {@code Nd4j.getExecutioner()
 * .getEnvironmentInformation()}, which both the CPU and the CUDA backend fill (the CUDA one adds
 * {@code cuda.availableDevices} with each device's name and memory).
 *
 * @param backend ND4J backend class, {@code CpuBackend} or {@code JCublasBackend}
 * @param cuda whether that is the CUDA backend
 * @param devices one line per device the backend uses: {@code 0: NVIDIA H100 (79.1 GiB total, 78.5 GiB free)}
 *     on CUDA, the CPU with its core count otherwise
 * @param details further key/value pairs: BLAS vendor and threads, OMP threads, JVM and off-heap memory
 */
public record BackendInfo(String backend, boolean cuda, List<String> devices, Map<String, String> details) {
  private static final double GIB = 1024.0 * 1024 * 1024;

  /** Asks ND4J (initialising it on first use, ~1-3 s). */
  public static BackendInfo detect() {
    String backend = Nd4j.getBackend().getClass().getSimpleName();
    boolean cuda = backend.toLowerCase().contains("cublas") || backend.toLowerCase().contains("cuda");
    Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
    List<String> devices = new ArrayList<>();
    Object cudaDevices = env.get("cuda.availableDevices");
    if (cudaDevices instanceof List<?> list) {
      for (Object d : list) {
        if (d instanceof Map<?, ?> m) {
          devices.add(m.get("cuda.deviceId") + ": " + m.get("cuda.deviceName")
              + " (" + gib(m.get("cuda.totalMemory")) + " total, " + gib(m.get("cuda.freeMemory")) + " free, compute "
              + m.get("cuda.deviceMajor") + "." + m.get("cuda.deviceMinor") + ")");
        }
      }
    } else {
      devices.add("cpu: " + env.getOrDefault("cores.available", Runtime.getRuntime().availableProcessors()) + " cores");
    }
    Map<String, String> details = new LinkedHashMap<>();
    put(details, "blas.vendor", env.get("blas.vendor"));
    put(details, "blas.threads", env.get("blas.threads"));
    put(details, "blas.library", NativeLibraries.blasLibraries());
    put(details, "nd4j.native.build", NativeLibraries.nd4jNativeBuild());
    put(details, "cpu.bf16", dev.roundhouse.tensor.Bf16.cpuBf16Flags().isEmpty() ? "none (no avx512_bf16/amx_bf16)"
        : dev.roundhouse.tensor.Bf16.cpuBf16Flags());
    put(details, "bf16.products", dev.roundhouse.tensor.Bf16.describe());
    put(details, "products", dev.roundhouse.tensor.DnnlMatmul.describe());
    put(details, "omp.threads", env.get("omp.threads"));
    put(details, "memory.jvm.max", gib(Runtime.getRuntime().maxMemory()));
    put(details, "memory.offheap.max", gib(env.get("memory.available")));
    put(details, "nd4j.datatype", Nd4j.dataType());
    return new BackendInfo(backend, cuda, List.copyOf(devices), Map.copyOf(details));
  }

  /** Printable lines, e.g. for {@code roundhouse env}. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("backend: " + backend + (cuda ? " (CUDA)" : " (CPU)"));
    devices.forEach(d -> out.add("device " + d));
    details.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.add(e.getKey() + ": " + e.getValue()));
    return out;
  }

  private static void put(Map<String, String> m, String key, Object value) {
    if (value != null) {
      m.put(key, String.valueOf(value));
    }
  }

  private static String gib(Object bytes) {
    if (bytes instanceof Number n && n.longValue() > 0) {
      return String.format("%.1f GiB", n.doubleValue() / GIB);
    }
    return "unknown";
  }
}
