package dev.roundhouse.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 300 forward/backward/SGD steps of a 2-layer MLP, each in a {@link StepArena}: ND4J's off-heap
 * memory must stop growing after warm-up.
 *
 * <p><b>Metric.</b> ND4J's CPU data buffers are malloc'ed by libnd4j and are not counted by
 * {@code Pointer.totalBytes()} (it only sees JavaCPP-allocated pointers: ~200 B per step here);
 * the resident set ({@link Pointer#physicalBytes()}) is the number that sees them. It also sees
 * Java heap pages the first time they are touched, and ND4J makes ~1 MB of Java garbage per step
 * here, so inside the surefire JVM the heap alone added 100-200 MB over 300 steps. The steps
 * therefore run in a child JVM ({@link #PROBE_JVM}) whose heap is fixed and pre-touched: there the
 * resident set moves only with native memory.
 *
 * <p><b>Assertion.</b> After a warm-up of 50 steps and one explicit collection, the resident set
 * after step 300, and its maximum over steps 51..300, may exceed the value after step 50 by at most
 * {@link #TOLERANCE_BYTES} = 64 MB, about 7% of the ~925 MB of arrays those 250 steps allocate
 * (3.7 MB each). Measured on the 2-core dev machine: with the arena +9..16 MB (the arrays' data is
 * reused; what grows is ND4J's small per-op native bookkeeping - op contexts, buffer headers - that
 * is still freed by the GC at the next young collection, ~60 KB per step, plus JIT/allocator noise);
 * with the arena bypassed ({@link Probe} run with {@code bypass}) +270..690 MB, because every step's
 * arrays wait for the GC. The window maximum catches a bypass even when a collection happens to
 * free memory just before the last sample. The test also checks that the step's arrays went into
 * the arena (a bypass reports 0 bytes), that the loss fell, and that parameters stayed detached.
 */
class StepArenaMemoryTest {
  static final int STEPS = Integer.getInteger("probe.steps", 300);
  /** Probe diagnostics: also print the resident set every this many steps (0: off). */
  static final int EVERY = Integer.getInteger("probe.every", 0);
  static final int WARMUP = 50;
  static final long TOLERANCE_BYTES = 64L << 20;

  // x: [B, IN] -> h = x W1^T + b1: [B, HID] -> a = h + 0.1 h*h -> y = a W2^T: [B, OUT]
  static final int B = 256;
  static final int IN = 64;
  static final int HID = 256;
  static final int OUT = 32;

  /**
   * Child JVM: fixed, pre-touched 256 MB heap; a large young generation (one collection every
   * ~130 steps) with roomy survivor spaces, so nothing is promoted early and a leak has time to show.
   */
  static final List<String> PROBE_JVM = List.of("-Xms256m", "-Xmx256m", "-Xmn160m",
      "-XX:SurvivorRatio=2", "-XX:+AlwaysPreTouch");

  @Test
  void offHeapBytesStopGrowingAfterWarmup() throws Exception {
    Map<String, Long> r = runProbe("arena");
    long atWarmup = r.get("rss." + WARMUP);
    long atEnd = r.get("rss." + STEPS);
    long peak = r.get("rss.max");
    String report = String.format("resident after step %d: %d KB, after step %d: %d KB (+%d KB),"
        + " max over steps %d..%d: +%d KB, arena bytes per step: %d KB", WARMUP, atWarmup >> 10,
        STEPS, atEnd >> 10, (atEnd - atWarmup) >> 10, WARMUP + 1, STEPS, (peak - atWarmup) >> 10,
        r.get("stepBytes") >> 10);
    System.out.println("StepArenaMemoryTest: " + report);

    assertTrue(r.get("stepBytes") > 1L << 20, "step arrays were not allocated in the arena: " + report);
    assertTrue(atEnd - atWarmup < TOLERANCE_BYTES, "off-heap memory kept growing: " + report);
    assertTrue(peak - atWarmup < TOLERANCE_BYTES, "off-heap memory rose between steps: " + report);
    assertTrue(r.get("lossLast") < 0.7 * r.get("lossFirst"), "SGD did not reduce the loss (x1e6): "
        + r.get("lossFirst") + " -> " + r.get("lossLast"));
    assertEquals(1, r.get("paramsDetached"), "parameters or their grads moved into a workspace");
  }

  /** Runs {@link Probe} in a child JVM with a fixed, pre-touched heap and parses its report. */
  static Map<String, Long> runProbe(String mode) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(PROBE_JVM);
    cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), Probe.class.getName(), mode));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Map<String, Long> out = new HashMap<>();
    StringBuilder log = new StringBuilder();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        log.append(line).append('\n');
        if (line.startsWith("probe ")) {
          String[] kv = line.substring(6).split("=", 2);
          out.put(kv[0], Long.parseLong(kv[1]));
        }
      }
    }
    int rc = p.waitFor();
    assertEquals(0, rc, "memory probe JVM failed:\n" + log);
    return out;
  }

  /**
   * The measured training loop, run in its own JVM. Prints {@code probe key=value} lines.
   * Argument {@code arena} (default) wraps each step in a StepArena; {@code bypass} does not,
   * which shows what the test guards against:
   * {@code java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp <test classpath>
   * dev.roundhouse.tensor.StepArenaMemoryTest$Probe bypass}.
   */
  public static final class Probe {
    public static void main(String[] args) {
      boolean useArena = args.length == 0 || !args[0].equals("bypass");
      Nd4j.getRandom().setSeed(7);
      DataType f = DataType.FLOAT;
      Parameter w1 = new Parameter("w1", ParamRole.DENSE_FFN, Nd4j.randn(f, HID, IN).muli(0.1));
      Parameter b1 = new Parameter("b1", ParamRole.BIAS, Nd4j.zeros(f, 1, HID));
      Parameter w2 = new Parameter("w2", ParamRole.DENSE_FFN, Nd4j.randn(f, OUT, HID).muli(0.05));
      List<Parameter> params = List.of(w1, b1, w2);
      INDArray x = Nd4j.randn(f, B, IN);
      INDArray target = Nd4j.randn(f, B, OUT).muli(0.5);

      long max = 0;
      for (int step = 1; step <= STEPS; step++) {
        if (useArena) {
          try (StepArena arena = StepArena.open("memory-test")) {
            report(step, trainStep(params, x, target, 0.05));
            if (step == STEPS) {
              System.out.println("probe stepBytes=" + arena.bytesThisStep());
            }
          }
        } else {
          report(step, trainStep(params, x, target, 0.05));
        }
        if (step == WARMUP) {
          settle();
        }
        long rss = Pointer.physicalBytes();
        if (step == WARMUP || step == STEPS || EVERY > 0 && step % EVERY == 0) {
          System.out.println("probe rss." + step + "=" + rss);
        }
        if (step > WARMUP) {
          max = Math.max(max, rss);
        }
      }
      System.out.println("probe rss.max=" + max);
      boolean detached = params.stream().noneMatch(p -> p.data().isAttached() || p.grad().isAttached());
      System.out.println("probe paramsDetached=" + (detached ? 1 : 0));
      if (!useArena) {
        System.out.println("probe stepBytes=0");
      }
    }

    /** Collects garbage from warm-up and gives ND4J's deallocator thread time to free it. */
    private static void settle() {
      System.gc();
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static void report(int step, double loss) {
      if (step == 1 || step == STEPS) {
        System.out.println("probe loss" + (step == 1 ? "First" : "Last") + "=" + Math.round(loss * 1e6));
      }
    }
  }

  /** One forward/backward/SGD step; returns the loss. */
  static double trainStep(List<Parameter> params, INDArray x, INDArray target, double lr) {
    Parameter w1 = params.get(0);
    Parameter b1 = params.get(1);
    Parameter w2 = params.get(2);
    Tensor h = MatOps.linearT(Tensor.constant(x), w1).add(b1);          // [B, HID]
    Tensor a = h.add(h.mul(h).mul(0.1));                                // [B, HID]
    Tensor y = MatOps.linearT(a, w2);                                   // [B, OUT]
    Tensor diff = y.sub(Tensor.constant(target));
    Tensor loss = Reductions.meanAll(diff.mul(diff));
    loss.backward();
    for (Parameter p : params) {
      p.data().subi(p.grad().mul(lr)); // in place on a long-lived array; the temporary is arena memory
      p.zeroGrad();
    }
    return loss.item();
  }
}
