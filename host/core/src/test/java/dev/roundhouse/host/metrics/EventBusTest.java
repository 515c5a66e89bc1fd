package dev.roundhouse.host.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventBusTest {
  @Test
  void failingSubscriberIsReportedAndOthersStillReceive() {
    EventBus bus = new EventBus();
    List<RunEvent> before = new ArrayList<>();
    List<RunEvent> after = new ArrayList<>();
    bus.subscribe(before::add);
    bus.subscribe(e -> {
      throw new IllegalStateException("subscriber bug");
    });
    bus.subscribe(after::add);
    RunEvent.Eval eval = new RunEvent.Eval(10, 2.0, 2.9);
    bus.publish(eval);
    bus.publish(new RunEvent.Checkpoint(10, "x"));
    assertEquals(2, before.size());
    assertEquals(List.of(eval), after.subList(0, 1));
    assertEquals(2, after.size());
    assertEquals(2, bus.failureCount());
  }

  @Test
  void unsubscribeStopsDelivery() {
    EventBus bus = new EventBus();
    AtomicInteger n = new AtomicInteger();
    EventBus.Subscription s = bus.subscribe(e -> n.incrementAndGet());
    bus.publish(new RunEvent.Eval(1, 1, 1));
    s.close();
    bus.publish(new RunEvent.Eval(2, 1, 1));
    assertEquals(1, n.get());
  }

  @Test
  void concurrentPublishAndSubscribe() throws Exception {
    EventBus bus = new EventBus();
    List<RunEvent> seen = Collections.synchronizedList(new ArrayList<>());
    bus.subscribe(seen::add);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 500; i++) {
          bus.publish(new RunEvent.Eval(i, 1, 1));
          if (i % 100 == 0) {
            bus.subscribe(e -> { }).close();
          }
        }
      });
      th.start();
      threads.add(th);
    }
    go.countDown();
    for (Thread th : threads) {
      th.join(10_000);
    }
    assertEquals(2000, seen.size());
    assertTrue(bus.failureCount() == 0);
  }
}
