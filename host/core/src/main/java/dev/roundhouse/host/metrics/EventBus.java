package dev.roundhouse.host.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process fan-out of {@link RunEvent}s: the trainer publishes, writers (JSONL, console, desktop app) subscribe.
 * Thread-safe; subscribers are called synchronously on the publishing thread, in subscription order, so they must
 * be quick (hand heavy work to another thread) and thread-safe if several threads publish. A subscriber that throws
 * is reported (logged with its stack trace the first time, counted afterwards) and stays subscribed; publishing
 * never throws because of a subscriber, so training never dies of a metrics problem.
 */
public final class EventBus {
  private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

  private final CopyOnWriteArrayList<Consumer<? super RunEvent>> subscribers = new CopyOnWriteArrayList<>();
  private final Map<Consumer<? super RunEvent>, AtomicLong> failures = new ConcurrentHashMap<>();

  /** A registration; closing it unsubscribes. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** Adds a subscriber; it receives every event published after this call. */
  public Subscription subscribe(Consumer<? super RunEvent> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** Delivers {@code event} to every subscriber; subscriber failures are caught and reported. */
  public void publish(RunEvent event) {
    Objects.requireNonNull(event, "event");
    for (Consumer<? super RunEvent> s : subscribers) {
      try {
        s.accept(event);
      } catch (Exception | LinkageError | StackOverflowError e) {
        report(s, event, e);
      }
    }
  }

  /** Total subscriber failures so far. */
  public long failureCount() {
    return failures.values().stream().mapToLong(AtomicLong::get).sum();
  }

  private void report(Consumer<? super RunEvent> s, RunEvent event, Throwable e) {
    long n = failures.computeIfAbsent(s, k -> new AtomicLong()).incrementAndGet();
    if (n == 1) {
      LOG.warn("Metrics subscriber {} failed on a {} event; training continues", s, event.eventName(), e);
    } else if (Long.bitCount(n) == 1) {
      LOG.warn("Metrics subscriber {} has failed {} times; last on a {} event: {}", s, n, event.eventName(),
          e.toString());
    }
  }
}
