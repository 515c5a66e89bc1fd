package dev.roundhouse.app.dashboard;

import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows the metrics.jsonl of a run another process writes: every {@code intervalMs} it reads the
 * complete lines appended since the last read (on its own daemon thread, never the UI thread) and
 * hands them to {@code batches} on the UI executor; once the run has ended (an end event, or its
 * writer process is gone) it delivers a final empty batch to {@code ended} and stops.
 */
public final class RunTail implements AutoCloseable {
  private final ScheduledExecutorService timer;
  private final Path dir;
  private final Path file;
  private volatile long offset;
  private volatile boolean closed;

  /** Starts following {@code dir}'s metrics from byte {@code fromOffset}. */
  public RunTail(Path dir, long fromOffset, long intervalMs, UiExecutor ui, Consumer<List<RunEvent>> batches,
      Runnable ended) {
    this.dir = dir;
    this.file = dir.resolve(RunDirectory.METRICS_FILE);
    this.offset = fromOffset;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "roundhouse-ui-tail");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> poll(ui, batches, ended), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  private void poll(UiExecutor ui, Consumer<List<RunEvent>> batches, Runnable ended) {
    if (closed) {
      return;
    }
    boolean writerAlive = RunLiveness.writtenByAnotherProcess(dir);
    List<RunEvent> events = List.of();
    try {
      if (Files.isRegularFile(file)) {
        MetricsReader.Chunk c = MetricsReader.readFrom(file, offset);
        offset = c.nextOffset();
        events = c.events();
      }
    } catch (RuntimeException e) {
      events = List.of(); // a partly written or rotated file: try again next time
    }
    boolean finished = events.stream().anyMatch(e -> e instanceof RunEvent.RunFinished
        || e instanceof RunEvent.RunFailed);
    List<RunEvent> batch = events;
    if (!batch.isEmpty()) {
      ui.execute(() -> {
        if (!closed) {
          batches.accept(batch);
        }
      });
    }
    if (finished || !writerAlive) {
      ui.execute(() -> {
        if (!closed) {
          ended.run();
        }
      });
      timer.shutdown(); // no further polls; the batches queued above are still delivered
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
  }
}
