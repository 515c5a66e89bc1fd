package dev.roundhouse.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) and SIGTERM during training: a JVM shutdown hook asks the trainer to stop after the current step
 * (it then writes a checkpoint), waits until the training thread has printed its last line and chosen the exit
 * code, flushes stdout and stderr, and ends the process with that code ({@link ExitCodes#INTERRUPTED} after a
 * checkpoint) for both signals. Without the wait the JVM would halt as soon as the hook returned, before the
 * {@code interrupted: ...} line, with the signal's own status (143 for SIGTERM).
 *
 * <p>Use: {@link #install}, train, print the outcome, then {@link #finish} with the exit code (always, also on
 * failure). Not reusable; one per training command.
 */
final class StopOnSignal {
  /** Longest wait for the training thread to finish its step and checkpoint. */
  static final long WAIT_SECONDS = 600;

  private final CountDownLatch finished = new CountDownLatch(1);
  private final PrintStream out;
  private final PrintStream err;
  private volatile int exitCode = ExitCodes.INTERRUPTED;
  private Thread hook;

  private StopOnSignal(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Registers the hook; {@code requestStop} is called from the hook's thread when a signal arrives. */
  static StopOnSignal install(Runnable requestStop, PrintStream out, PrintStream err) {
    StopOnSignal s = new StopOnSignal(out, err);
    s.hook = new Thread(() -> {
      requestStop.run();
      try {
        if (!s.finished.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          err.println("roundhouse: the current step did not finish within " + WAIT_SECONDS + " s; exiting without"
              + " a new checkpoint");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.flush();
      err.flush();
      System.out.flush();
      System.err.flush();
      // The JVM is shutting down: System.exit would block, and returning would exit with the signal's status.
      Runtime.getRuntime().halt(s.exitCode);
    }, "roundhouse-stop");
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** The training thread is done and has printed everything; the process ends with {@code code} if signalled. */
  void finish(int code) {
    exitCode = code;
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // a signal arrived: the hook is running and ends the process with exitCode
    }
  }
}
