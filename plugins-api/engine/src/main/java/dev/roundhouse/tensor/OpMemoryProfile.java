package dev.roundhouse.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Optional measurement of what each forward op leaves in its block's arena, switched on with the
 * system property {@code roundhouse.profile.memory=<file>} (off by default: one static boolean check
 * per op). At every {@link Tensor#result} inside a per-block arena (with a graph) it charges the
 * bytes that arena allocated since the previous op on this thread to the op (and its caller outside
 * this package), split into the bytes of the op's new output and the rest (what the op allocated
 * besides its output: temporaries, and arrays its backward captured). The table (bytes per op and
 * step) is written to the file when the JVM exits. Measurement tool only; not thread-safe across
 * shards (it keys by thread but sums all threads).
 */
public final class OpMemoryProfile {
  static final String FILE = System.getProperty("roundhouse.profile.memory");
  public static final boolean ENABLED = FILE != null && !FILE.isBlank();
  private static final Map<String, LongAdder[]> BYTES = new ConcurrentHashMap<>();
  private static final ThreadLocal<Object[]> LAST = new ThreadLocal<>(); // {workspace, allocations}
  private static final StackWalker WALKER = StackWalker.getInstance();
  private static final LongAdder FORWARDS = new LongAdder();

  static {
    if (ENABLED) {
      Runtime.getRuntime().addShutdownHook(new Thread(OpMemoryProfile::write));
    }
  }

  private OpMemoryProfile() {}

  /** Charges the arena bytes allocated since the previous op to the op producing {@code out}. */
  static void record(INDArray out, Tensor... parents) {
    if (NoGrad.active() || ArenaSegments.current() == null) {
      return;
    }
    MemoryWorkspace ws = Nd4j.getMemoryManager().getCurrentWorkspace();
    if (ws == null) {
      return;
    }
    long now = ws.getThisCycleAllocations();
    Object[] last = LAST.get();
    long before = last != null && last[0] == ws ? (Long) last[1] : 0L;
    LAST.set(new Object[] {ws, now});
    long outBytes = 0;
    if (out.isAttached() && out.data().getParentWorkspace() == ws && !sharesParent(out, parents)) {
      outBytes = out.length() * out.dataType().width();
    }
    String key = WALKER.walk(s -> {
      String op = null;
      String from = "?";
      for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) s::iterator) {
        String c = f.getClassName();
        if (c.equals(Tensor.class.getName()) || c.equals(OpMemoryProfile.class.getName())) {
          continue;
        }
        String name = c.substring(c.lastIndexOf('.') + 1) + "." + f.getMethodName();
        if (op == null) {
          op = name;
        }
        if (!c.startsWith("dev.roundhouse.tensor.")) {
          from = name;
          break;
        }
      }
      return op + " <- " + from;
    });
    LongAdder[] a = BYTES.computeIfAbsent(key, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
    a[0].add(now - before);
    a[1].add(outBytes);
    a[2].increment();
  }

  /** Counts one forward pass (the table is per forward). */
  public static void forwardDone() {
    if (ENABLED) {
      FORWARDS.increment();
    }
  }

  private static boolean sharesParent(INDArray out, Tensor[] parents) {
    DataBuffer o = base(out.data());
    for (Tensor p : parents) {
      if (p != null && base(p.data().data()) == o) {
        return true;
      }
    }
    return false;
  }

  private static DataBuffer base(DataBuffer b) {
    DataBuffer u = b.underlyingDataBuffer();
    return u != null ? u : b;
  }

  private static void write() {
    long n = Math.max(1, FORWARDS.sum());
    StringBuilder b = new StringBuilder(String.format("forwards %d (bytes per forward, MB)%n%-70s %10s %10s %10s %8s%n", n,
        "op <- caller", "allocated", "output", "other", "calls"));
    BYTES.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0].sum(), x.getValue()[0].sum()))
        .forEach(e -> {
          LongAdder[] a = e.getValue();
          b.append(String.format("%-70s %10.2f %10.2f %10.2f %8.1f%n", e.getKey(), a[0].sum() / 1e6 / n,
              a[1].sum() / 1e6 / n, (a[0].sum() - a[1].sum()) / 1e6 / n, a[2].sum() / (double) n));
        });
    try {
      Files.writeString(Path.of(FILE), b.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
