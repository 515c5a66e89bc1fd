package dev.roundhouse.tensor;

/**
 * A scope in which ops record no backward closures: {@code try (NoGrad g = NoGrad.enter()) {...}}.
 * Used for evaluation, sampling and optimizer updates. Scopes nest; the flag is per thread.
 */
public final class NoGrad implements AutoCloseable {
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  private boolean closed;

  private NoGrad() {
    DEPTH.get()[0]++;
  }

  public static NoGrad enter() {
    return new NoGrad();
  }

  /** True while a no-grad scope is open on this thread. */
  public static boolean active() {
    return DEPTH.get()[0] > 0;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      DEPTH.get()[0]--;
    }
  }
}
