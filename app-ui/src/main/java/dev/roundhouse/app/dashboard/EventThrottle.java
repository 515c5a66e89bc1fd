package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.host.metrics.RunEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Carries run events from the training thread to the UI thread without flooding it: the event bus
 * subscriber only queues (never blocks training); at most one batch per {@code intervalMs} is handed
 * to the UI executor, holding every event queued since the last one, in order.
 */
public final class EventThrottle implements Consumer<RunEvent>, AutoCloseable {
  private final ConcurrentLinkedQueue<RunEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ScheduledExecutorService timer;
  private final UiExecutor ui;
  private final Consumer<List<RunEvent>> batches;
  private final long intervalMs;

  public EventThrottle(UiExecutor ui, long intervalMs, Consumer<List<RunEvent>> batches) {
    this.ui = ui;
    this.intervalMs = intervalMs;
    this.batches = batches;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "roundhouse-ui-throttle");
      t.setDaemon(true);
      return t;
    });
  }

  /** Called on the training thread: queues the event and schedules a flush if none is pending. */
  @Override
  public void accept(RunEvent e) {
    queue.add(e);
    if (scheduled.compareAndSet(false, true)) {
      timer.schedule(() -> ui.execute(this::flush), intervalMs, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Delivers what is queued now (also the final flush when a run ends). Runs on the UI thread; synchronized for
   * UI executors that run on the caller (tests), where the timer and a final flush could overlap.
   */
  public synchronized void flush() {
    scheduled.set(false);
    List<RunEvent> batch = new ArrayList<>();
    for (RunEvent e; (e = queue.poll()) != null; ) {
      batch.add(e);
    }
    if (!batch.isEmpty()) {
      batches.accept(batch);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
