package dev.roundhouse.tensor;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_RUNTIME_DIM_VAL;
import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;
import static org.bytedeco.dnnl.global.dnnl.dnnl_version;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products through oneDNN's matmul primitive, called directly on ND4J's buffers (the
 * JavaCPP preset {@code org.bytedeco:dnnl}), instead of through ND4J's gemm / MatMul op.
 *
 * <p>What it buys over ND4J 1.0.0-M2.1 on the CPU (docs/precision.md, docs/performance.md):
 * bf16 x bf16 products with an <b>fp32 result</b> (ND4J's op writes bf16 only, so every bf16
 * product paid a widening pass and its backward an extra add), a sum post-op that accumulates into
 * an existing fp32 gradient in the same call (beta = 1), and a primitive created once per shape
 * and reused (ND4J sets its op up on every call, 70-85 us, as much as a 256-row expert product).
 *
 * <p>{@link #gemm} computes {@code out = op(a) @ op(b)} or {@code out += op(a) @ op(b)} for 2-D
 * ([m, k] x [k, n] -> [m, n]) or batched 3-D ([B, m, k] x [B, k, n] -> [B, m, n]) arrays, where
 * op transposes the last two dims by strides (no copy). Operands: both FLOAT or both BFLOAT16
 * (accumulated in fp32), or both HALF where this CPU's oneDNN has an f16 kernel; output FLOAT, or
 * the operands' type. Arrays may be views (e.g. a contiguous row block of a larger buffer); any
 * strides oneDNN accepts. It returns false, having done nothing, when it cannot run the product:
 * the library did not load, the dtype combination or strides are not supported, a dim is zero;
 * the caller then runs its ND4J path. Values: fp32 accumulation, same as ND4J's fp32 gemm up to
 * summation order.
 *
 * <p>Lifecycle and threads: the library is loaded and the CPU engine created once per process,
 * on first use; {@code -Droundhouse.dnnl=false} turns the whole class off (every call returns
 * false). Each thread has its own stream and its own cache of primitives and memory objects by
 * shape, strides, dtypes and accumulate flag (at most {@value #CACHE_PER_THREAD} primitives and
 * {@value #MEMORIES_PER_THREAD} memory-object sets, least recently used evicted and destroyed); a
 * product whose rows or inner dim keep changing at otherwise equal shapes switches to a
 * runtime-size primitive by itself after {@value #CHURN} fixed shapes; the state of a thread that
 * has ended is destroyed by the next thread that creates its own. oneDNN's own primitive cache
 * shares the compiled kernels between threads. Thread-safe; a call blocks until its product is done
 * and runs on the calling thread (measured: the process's CPU time equals the thread's).
 */
public final class DnnlMatmul {
  static final int CACHE_PER_THREAD = 256;
  static final int MEMORIES_PER_THREAD = 8192;
  /** Fixed shapes of one class compiled before its further shapes run at a runtime size. */
  static final int CHURN = 4;

  private static final Library LIB = Library.load();
  private static final ThreadLocal<ThreadState> STATE = ThreadLocal.withInitial(ThreadState::create);
  private static final List<ThreadState> STATES = new ArrayList<>();

  private DnnlMatmul() {}

  /** True when oneDNN loaded and products can run through it. */
  public static boolean available() {
    return LIB.engine != null;
  }

  /** The process's oneDNN CPU engine, shared with {@link DnnlEltwise}; null when oneDNN is off. */
  static dnnl_engine engine() {
    return LIB.engine;
  }

  /**
   * One line for provenance and {@code roundhouse env}: the oneDNN version and the kernels it picks
   * for an fp32 and a bf16 product at a routed-expert shape (e.g. "oneDNN 2.5.2 direct: f32
   * brg:avx512_core, bf16 brg:avx512_core_bf16"), or why it is off.
   */
  public static String describe() {
    if (!available()) {
      return "off: " + LIB.why;
    }
    return "oneDNN " + LIB.version + " direct: f32 " + kernel(DataType.FLOAT) + ", bf16 " + kernel(DataType.BFLOAT16)
        + ", f16 " + kernel(DataType.HALF);
  }

  /**
   * The oneDNN kernel a [256, 256] x [256, 128] product with operands of {@code type} and an fp32
   * result (the operands' type for HALF) runs on, or "unsupported".
   */
  public static String kernel(DataType type) {
    if (!available()) {
      return "unsupported";
    }
    DataType outType = type == DataType.HALF ? DataType.HALF : DataType.FLOAT;
    Key key = Key.of(new long[] {256, 256}, new long[] {256, 1}, new long[] {256, 128}, new long[] {128, 1},
        new long[] {256, 128}, new long[] {128, 1}, code(type), code(type), code(outType), false);
    Primitive p = STATE.get().primitive(key);
    return p == null ? "unsupported" : p.impl;
  }

  /**
   * Which dim of a 2-D product changes from call to call at otherwise equal shapes: a routed
   * expert's row count (the rows M of its forward and input-gradient products, the inner dim K of
   * its weight-gradient product). Such a product runs one primitive compiled with that dim as a
   * runtime size (oneDNN's gemm kernel) instead of compiling a fixed-shape kernel (~1 ms) for
   * every new count; only its memory objects (~50 us) are made per new count, and cached.
   */
  public enum Varying { NONE, M, K }

  /** {@link #gemm(INDArray, INDArray, INDArray, boolean, boolean, boolean, Varying)} at fixed shapes. */
  public static boolean gemm(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, boolean accumulate) {
    return gemm(a, b, out, transA, transB, accumulate, Varying.NONE);
  }

  /**
   * {@code out = op(a) @ op(b)} ({@code accumulate} false) or {@code out += op(a) @ op(b)}
   * (true). a: [m, k] (or [k, m] with transA), b: [k, n] (or [n, k] with transB), out: [m, n];
   * or the same with a leading batch dim on all three ({@code varying} must then be NONE).
   * Returns false, having done nothing, when oneDNN cannot run it (see the class comment): the
   * caller runs its own path.
   */
  public static boolean gemm(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, boolean accumulate,
                             Varying varying) {
    if (!available()) {
      return false;
    }
    int rank = out.rank();
    if (a.rank() != rank || b.rank() != rank || (rank != 2 && rank != 3) || out.length() == 0 || a.length() == 0) {
      return false;
    }
    int ta = code(a.dataType());
    int tb = code(b.dataType());
    int to = code(out.dataType());
    if (ta < 0 || ta != tb || to < 0 || (to != dnnl_f32 && to != ta)) {
      return false;
    }
    long[] aDims = a.shape().clone();
    long[] aStr = a.stride().clone();
    long[] bDims = b.shape().clone();
    long[] bStr = b.stride().clone();
    if (transA) {
      swapLast(aDims);
      swapLast(aStr);
    }
    if (transB) {
      swapLast(bDims);
      swapLast(bStr);
    }
    long[] oDims = out.shape();
    long[] oStr = out.stride().clone();
    unitStrides(aDims, aStr);
    unitStrides(bDims, bStr);
    unitStrides(oDims, oStr);
    if (aDims[rank - 1] != bDims[rank - 2] || aDims[rank - 2] != oDims[rank - 2] || bDims[rank - 1] != oDims[rank - 1]
        || (rank == 3 && (aDims[0] != oDims[0] || bDims[0] != oDims[0]))) {
      throw new IllegalArgumentException("oneDNN matmul shapes do not chain: " + Arrays.toString(a.shape())
          + (transA ? "^T" : "") + " x " + Arrays.toString(b.shape()) + (transB ? "^T" : "") + " -> "
          + Arrays.toString(oDims));
    }
    if (varying != Varying.NONE && rank != 2) {
      throw new IllegalArgumentException("a varying dim is for 2-D products, got rank " + rank);
    }

    Key key = Key.of(aDims, aStr, bDims, bStr, oDims, oStr, ta, tb, to, accumulate);
    ThreadState state = STATE.get();
    if (varying == Varying.NONE && rank == 2) {
      varying = state.churn(key);
    }
    Primitive p = state.primitive(varying == Varying.NONE ? key : key.runtime(varying));
    if (p == null) {
      return false;
    }
    Memories m = varying == Varying.NONE ? p.fixed : state.memories(key);
    m.run(p, state, address(a), address(b), address(out));
    return true;
  }

  /** True when ND4J runs on its CUDA backend (device buffers: this class is off; {@link Bf16} reads it too). */
  static boolean cudaBackend() {
    String b = Nd4j.getBackend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    return b.contains("cublas") || b.contains("cuda");
  }

  /** The dnnl data type of an ND4J type this class runs, or -1. */
  private static int code(DataType t) {
    return switch (t) {
      case FLOAT -> dnnl_f32;
      case BFLOAT16 -> dnnl_bf16;
      case HALF -> dnnl_f16;
      default -> -1;
    };
  }

  /**
   * Gives a size-1 dim the stride a dense layout would (ND4J reports [1, n] arrays with strides
   * [1, 1], which oneDNN accepts at creation and rejects at execution); its value reads nothing.
   */
  private static void unitStrides(long[] dims, long[] strides) {
    for (int i = dims.length - 1; i >= 0; i--) {
      if (dims[i] == 1) {
        strides[i] = i == dims.length - 1 ? 1 : strides[i + 1] * dims[i + 1];
      }
    }
  }

  private static void swapLast(long[] v) {
    long t = v[v.length - 1];
    v[v.length - 1] = v[v.length - 2];
    v[v.length - 2] = t;
  }

  /** The address of an array's first element (its view offset included). */
  static long address(INDArray x) {
    Pointer p = x.data().addressPointer();
    return p.address() + p.position() * p.sizeof();
  }

  /** Throws naming {@code what} when a oneDNN call did not succeed (shared with {@link DnnlEltwise}). */
  static void check(int status, String what) {
    if (status != dnnl_success) {
      throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
    }
  }

  /** A raw address handed to oneDNN as a data handle (no allocation, no ownership; also {@link DnnlEltwise}'s). */
  static final class Address extends Pointer {
    Address at(long a) {
      address = a;
      return this;
    }
  }

  /** The loaded library and its CPU engine (null with a reason when unavailable). */
  private static final class Library {
    final dnnl_engine engine;
    final String version;
    final String why;

    private Library(dnnl_engine engine, String version, String why) {
      this.engine = engine;
      this.version = version;
      this.why = why;
    }

    static Library load() {
      if (!Boolean.parseBoolean(System.getProperty("roundhouse.dnnl", "true"))) {
        return new Library(null, null, "set by -Droundhouse.dnnl=false");
      }
      try {
        if (cudaBackend()) {
          return new Library(null, null, "ND4J's backend is CUDA (device buffers; cuBLAS runs the products)");
        }
        dnnl_version_t v = dnnl_version();
        PointerPointer<?> pp = new PointerPointer<>(1);
        check(dnnl_engine_create(pp, dnnl_cpu, 0), "engine_create");
        return new Library(new dnnl_engine(pp.get()), v.major() + "." + v.minor() + "." + v.patch(), null);
      } catch (Throwable t) { // no native jar for this platform, a loader error: fall back to ND4J
        return new Library(null, null, "oneDNN did not load (" + t + ")");
      }
    }
  }

  /** Shape, strides, dtypes and accumulate flag of one product: a cache key. */
  private record Key(long[] v) {
    static Key of(long[] aDims, long[] aStr, long[] bDims, long[] bStr, long[] oDims, long[] oStr,
                  int ta, int tb, int to, boolean accumulate) {
      int r = oDims.length;
      long[] v = new long[6 * r + 5];
      int i = 0;
      for (long[] part : new long[][] {aDims, aStr, bDims, bStr, oDims, oStr}) {
        System.arraycopy(part, 0, v, i, r);
        i += r;
      }
      v[i++] = r;
      v[i++] = ta;
      v[i++] = tb;
      v[i++] = to;
      v[i] = accumulate ? 1 : 0;
      return new Key(v);
    }

    /**
     * This key with the varying dim a runtime size: M is dims[0] of the source and destination,
     * K dims[1] of the source and dims[0] of the weights (2-D keys; strides do not depend on them).
     */
    Key runtime(Varying varying) {
      long[] r = v.clone();
      if (varying == Varying.M) {
        r[0] = DNNL_RUNTIME_DIM_VAL; // src dims [M, K]
        r[8] = DNNL_RUNTIME_DIM_VAL; // dst dims [M, N]
      } else {
        r[1] = DNNL_RUNTIME_DIM_VAL; // src dims [M, K]
        r[4] = DNNL_RUNTIME_DIM_VAL; // weights dims [K, N]
      }
      return new Key(r);
    }

    long[] part(int index) {
      int r = (int) v[v.length - 5];
      return Arrays.copyOfRange(v, index * r, (index + 1) * r);
    }

    int type(int index) {
      return (int) v[v.length - 4 + index];
    }

    boolean accumulate() {
      return v[v.length - 1] == 1;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(v, k.v);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(v);
    }
  }

  /**
   * One created primitive; {@code fixed} holds its memory objects when its key has no runtime
   * dim (null otherwise: memory objects are then made per concrete shape, {@link Memories}).
   */
  private static final class Primitive {
    final dnnl_primitive_desc desc;
    final dnnl_primitive prim;
    final String impl;
    final Memories fixed;

    private Primitive(dnnl_primitive_desc desc, dnnl_primitive prim, String impl, Memories fixed) {
      this.desc = desc;
      this.prim = prim;
      this.impl = impl;
      this.fixed = fixed;
    }

    /** Creates the primitive, or returns null when oneDNN has no implementation for it. */
    static Primitive create(Key key) {
      dnnl_memory_desc_t s = desc(key.part(0), key.part(1), key.type(0));
      dnnl_memory_desc_t w = desc(key.part(2), key.part(3), key.type(1));
      dnnl_memory_desc_t d = desc(key.part(4), key.part(5), key.type(2));
      if (s == null || w == null || d == null) {
        return null;
      }
      dnnl_matmul_desc_t mm = new dnnl_matmul_desc_t();
      if (dnnl_matmul_desc_init(mm, s, w, null, d) != dnnl_success) {
        return null;
      }
      dnnl_primitive_attr attr = null;
      dnnl_post_ops ops = null;
      try {
        if (key.accumulate()) {
          PointerPointer<?> ap = new PointerPointer<>(1);
          check(dnnl_primitive_attr_create(ap), "primitive_attr_create");
          attr = new dnnl_primitive_attr(ap.get());
          PointerPointer<?> op = new PointerPointer<>(1);
          check(dnnl_post_ops_create(op), "post_ops_create");
          ops = new dnnl_post_ops(op.get());
          check(dnnl_post_ops_append_sum(ops, 1.0f), "post_ops_append_sum");
          check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
        }
        PointerPointer<?> pdp = new PointerPointer<>(1);
        if (dnnl_primitive_desc_create(pdp, new const_dnnl_op_desc_t(mm), attr, LIB.engine, null) != dnnl_success) {
          return null; // no kernel for these dtypes / strides on this CPU
        }
        dnnl_primitive_desc pd = new dnnl_primitive_desc(pdp.get());
        PointerPointer<?> pp = new PointerPointer<>(1);
        check(dnnl_primitive_create(pp, pd), "primitive_create");
        PointerPointer<?> impl = new PointerPointer<>(1);
        String name = dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, impl) == dnnl_success
            ? new BytePointer(impl.get()).getString() : "?";
        boolean runtime = Arrays.stream(key.v).anyMatch(x -> x == DNNL_RUNTIME_DIM_VAL);
        return new Primitive(pd, new dnnl_primitive(pp.get()), name, runtime ? null : new Memories(s, w, d));
      } finally {
        if (ops != null) {
          dnnl_post_ops_destroy(ops);
        }
        if (attr != null) {
          dnnl_primitive_attr_destroy(attr);
        }
      }
    }

    static dnnl_memory_desc_t desc(long[] dims, long[] strides, int type) {
      dnnl_memory_desc_t md = new dnnl_memory_desc_t();
      return dnnl_memory_desc_init_by_strides(md, dims.length, dims, type, strides) == dnnl_success ? md : null;
    }

    void destroy() {
      if (fixed != null) {
        fixed.destroy();
      }
      dnnl_primitive_destroy(prim);
      dnnl_primitive_desc_destroy(desc);
    }
  }

  /** The source, weights and destination memory objects of one concrete shape (handles swapped per call). */
  private static final class Memories {
    final dnnl_memory src;
    final dnnl_memory wei;
    final dnnl_memory dst;
    final dnnl_exec_arg_t args = new dnnl_exec_arg_t(3);

    Memories(dnnl_memory_desc_t s, dnnl_memory_desc_t w, dnnl_memory_desc_t d) {
      src = memory(s);
      wei = memory(w);
      dst = memory(d);
      args.position(0).arg(DNNL_ARG_SRC).memory(src);
      args.position(1).arg(DNNL_ARG_WEIGHTS).memory(wei);
      args.position(2).arg(DNNL_ARG_DST).memory(dst);
      args.position(0);
    }

    static Memories of(Key key) {
      return new Memories(Primitive.desc(key.part(0), key.part(1), key.type(0)),
          Primitive.desc(key.part(2), key.part(3), key.type(1)), Primitive.desc(key.part(4), key.part(5), key.type(2)));
    }

    private static dnnl_memory memory(dnnl_memory_desc_t md) {
      PointerPointer<?> pp = new PointerPointer<>(1);
      check(dnnl_memory_create(pp, md, LIB.engine, null), "memory_create"); // handle set per call
      return new dnnl_memory(pp.get());
    }

    void run(Primitive p, ThreadState state, long a, long b, long out) {
      check(dnnl_memory_set_data_handle(src, state.a.at(a)), "memory_set_data_handle");
      check(dnnl_memory_set_data_handle(wei, state.b.at(b)), "memory_set_data_handle");
      check(dnnl_memory_set_data_handle(dst, state.out.at(out)), "memory_set_data_handle");
      check(dnnl_primitive_execute(p.prim, state.stream, 3, args), "primitive_execute");
      check(dnnl_stream_wait(state.stream), "stream_wait");
    }

    void destroy() {
      dnnl_memory_destroy(src);
      dnnl_memory_destroy(wei);
      dnnl_memory_destroy(dst);
    }
  }

  /** One thread's stream and primitive cache. */
  private static final class ThreadState {
    final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
    final dnnl_stream stream;
    final Address a = new Address();
    final Address b = new Address();
    final Address out = new Address();
    final Map<Key, Primitive[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Primitive[]> eldest) {
        if (size() > CACHE_PER_THREAD) {
          if (eldest.getValue()[0] != null) {
            eldest.getValue()[0].destroy();
          }
          return true;
        }
        return false;
      }
    };

    final Map<Key, Memories> memories = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Memories> eldest) {
        if (size() > MEMORIES_PER_THREAD) {
          eldest.getValue().destroy();
          return true;
        }
        return false;
      }
    };

    /** Fixed shapes met per class (a key with M or K as a runtime size). */
    final Map<Key, Integer> shapesPerClass = new java.util.HashMap<>();

    private ThreadState(dnnl_stream stream) {
      this.stream = stream;
    }

    static ThreadState create() {
      PointerPointer<?> sp = new PointerPointer<>(1);
      check(dnnl_stream_create(sp, LIB.engine, dnnl_stream_default_flags), "stream_create");
      ThreadState state = new ThreadState(new dnnl_stream(sp.get()));
      synchronized (STATES) {
        STATES.removeIf(s -> {
          Thread t = s.owner.get();
          if (t == null || !t.isAlive()) {
            s.destroy();
            return true;
          }
          return false;
        });
        STATES.add(state);
      }
      return state;
    }

    Primitive primitive(Key key) {
      Primitive[] slot = cache.get(key);
      if (slot == null) {
        slot = new Primitive[] {Primitive.create(key)}; // {null}: oneDNN cannot run it, not asked again
        cache.put(key, slot);
      }
      return slot[0];
    }

    /**
     * NONE, or the dim to run at a runtime size when this product is a new fixed shape of a class
     * (all dims but M, or all but K, equal) that has already compiled {@value #CHURN} fixed shapes:
     * a caller whose row counts change without saying so (per-expert products) then stops compiling
     * a kernel per count.
     */
    Varying churn(Key key) {
      if (cache.containsKey(key)) {
        return Varying.NONE;
      }
      for (Varying v : new Varying[] {Varying.M, Varying.K}) {
        if (shapesPerClass.merge(key.runtime(v), 1, Integer::sum) > CHURN) {
          return v;
        }
      }
      return Varying.NONE;
    }

    Memories memories(Key concrete) {
      return memories.computeIfAbsent(concrete, Memories::of);
    }

    void destroy() {
      memories.values().forEach(Memories::destroy);
      memories.clear();
      for (Primitive[] p : cache.values()) {
        if (p[0] != null) {
          p[0].destroy();
        }
      }
      cache.clear();
      dnnl_stream_destroy(stream);
    }
  }
}
