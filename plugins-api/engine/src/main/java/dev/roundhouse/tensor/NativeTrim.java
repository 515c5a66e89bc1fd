package dev.roundhouse.tensor;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

/**
 * Returns the native memory the arenas' learning steps freed to the operating system. While an
 * arena learns its size ({@link StepArena#LEARNING_CYCLES} steps) each of its arrays is a separate
 * native allocation, freed when the step ends; glibc keeps that freed memory in the process, so
 * without this the arenas' blocks, allocated next, come on top of it and the resident set peaks at
 * both together. After each of the first {@code LEARNING_CYCLES + 1} steps of an arena id on a
 * thread (when its outermost arena closes) this calls glibc's {@code malloc_trim(0)} through
 * JavaCPP; later steps allocate nothing natively, so they skip it. No-op where the call is not
 * available (not Linux/glibc); switch off with {@code -Droundhouse.trim=false}.
 *
 * <p>Thread-safe: the step counts are per thread; {@code malloc_trim} itself is thread-safe.
 */
final class NativeTrim {
  private static final boolean ENABLED = !"false".equals(System.getProperty("roundhouse.trim"));
  private static final Method TRIM = find();
  private static final ThreadLocal<Map<String, Integer>> STEPS = ThreadLocal.withInitial(HashMap::new);

  private NativeTrim() {}

  private static Method find() {
    try {
      Method m = Class.forName("org.bytedeco.javacpp.Pointer").getDeclaredMethod("trimMemory");
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** Called when the outermost arena {@code id} of this thread closes. */
  static void afterLearningStep(String id) {
    if (!ENABLED || TRIM == null) {
      return;
    }
    Map<String, Integer> steps = STEPS.get();
    int n = steps.merge(id, 1, Integer::sum);
    if (n <= StepArena.LEARNING_CYCLES + 1) {
      trim();
    }
  }

  /** This thread's arenas were destroyed: count their learning steps from the start again. */
  static void forgetThread() {
    STEPS.get().clear();
  }

  /** malloc_trim(0); false when it is not available or released nothing. */
  static boolean trim() {
    if (TRIM == null) {
      return false;
    }
    try {
      return (Boolean) TRIM.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
