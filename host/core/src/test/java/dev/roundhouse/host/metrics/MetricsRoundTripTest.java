package dev.roundhouse.host.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsRoundTripTest {
  @TempDir Path tmp;

  static List<RunEvent> sampleEvents() {
    Instant t = Instant.parse("2026-11-22T12:03:01.123Z");
    JsonNode config = Json.parse("{\"seed\":1337,\"model\":{\"dModel\":256,\"capacityFactor\":null}}", "test");
    Map<String, Double> aux = new LinkedHashMap<>();
    aux.put("switch_aux", 0.0123);
    aux.put("z_loss", null); // a NaN aux loss is written as null and read back as null
    LayerLoad l1 = LayerLoad.of(1, new long[] {10, 30, 0, 40}, -0.25, 0.5, 0, null);
    LayerLoad l2 = LayerLoad.of(2, new long[] {20, 20, 20, 20}, null, null, 7,
        Map.of("arith", new long[] {5, 5, 5, 5}, "code", new long[] {15, 15, 15, 15}));
    return List.of(
        new RunEvent.RunStarted(t, 0, "/runs/x", 400, config, Json.parse("{\"seed\":1337}", "p")),
        new RunEvent.Step(t, 1, 5.54, aux, 6.0e-5, Double.NaN, 12345.5, 321.0),
        new RunEvent.Eval(t, 100, 1.9, 2.74),
        new RunEvent.ExpertLoad(t, 100, List.of(l1, l2)),
        new RunEvent.Checkpoint(t, 100, "/runs/x/checkpoints/step-000100"),
        new RunEvent.Alarm(t, 100, 1, RunEvent.Alarm.DEAD_EXPERTS, "1 of 4 experts got no tokens"),
        new RunEvent.Alarm(t, 101, null, RunEvent.Alarm.NON_FINITE, "loss is NaN"),
        new RunEvent.RunFinished(t, 400, 812.5, 1.83),
        new RunEvent.RunFailed(t, 17, "boom\nsecond line", "java.lang.IllegalStateException"));
  }

  @Test
  void eventsRoundTripThroughBusWriterAndReader() throws IOException {
    Path file = tmp.resolve("metrics.jsonl");
    EventBus bus = new EventBus();
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(file)) {
      bus.subscribe(w);
      sampleEvents().forEach(bus::publish);
    }
    assertEquals(0, bus.failureCount());
    List<String> lines = Files.readAllLines(file);
    assertEquals(sampleEvents().size(), lines.size());
    assertEquals(sampleEvents(), MetricsReader.read(file));
  }

  @Test
  void linesHaveEventFirstSnakeCaseSortedFieldsAndUnits() throws IOException {
    Path file = tmp.resolve("metrics.jsonl");
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(file)) {
      sampleEvents().forEach(w);
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals("{\"event\":\"step\",\"aux_losses\":{\"switch_aux\":0.0123,\"z_loss\":null},"
        + "\"grad_norm\":null,\"loss\":5.54,\"lr\":6.0E-5,\"step\":1,\"step_ms\":321.0,"
        + "\"time\":\"2026-11-22T12:03:01.123Z\",\"tokens_per_s\":12345.5}", lines.get(1));
    assertEquals("{\"event\":\"eval\",\"step\":100,\"time\":\"2026-11-22T12:03:01.123Z\",\"val_bpb\":2.74,"
        + "\"val_loss\":1.9}", lines.get(2));
    JsonNode load = Json.parse(lines.get(3), "line 4").path("layers").get(0);
    assertEquals(List.of("bias_max", "bias_min", "cv_pct", "dead_experts", "dropped_tokens", "entropy_norm",
        "layer", "max_load_frac", "maxvio", "tokens_per_expert"), names(load));
    JsonNode domains = Json.parse(lines.get(3), "line 4").path("layers").get(1).path("per_domain_tokens");
    assertEquals("{\"arith\":[5,5,5,5],\"code\":[15,15,15,15]}", domains.toString());
    assertTrue(lines.get(6).contains("\"kind\":\"non_finite\"") && !lines.get(6).contains("layer"));
    assertTrue(lines.get(7).contains("\"wall_s\":812.5") && lines.get(7).contains("\"final_val_loss\":1.83"));
    for (String line : lines) {
      JsonNode n = Json.parse(line, "line");
      assertTrue(n.has("event") && n.has("time") && n.has("step"), line);
    }
  }

  @Test
  void truncatedLastLineIsIgnoredButCorruptMiddleLineIsNamed() throws IOException {
    Path file = tmp.resolve("metrics.jsonl");
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(file)) {
      sampleEvents().subList(0, 3).forEach(w);
    }
    String full = Files.readString(file);
    Files.writeString(file, full + "{\"event\":\"eval\",\"step\":1", StandardOpenOption.TRUNCATE_EXISTING);
    assertEquals(sampleEvents().subList(0, 3), MetricsReader.read(file));

    String[] lines = full.split("\n");
    Files.writeString(file, lines[0] + "\n" + lines[1].substring(0, 20) + "\n" + lines[2] + "\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsReader.read(file));
    assertTrue(e.getMessage().startsWith(file + ": line 2 "), e.getMessage());
  }

  @Test
  void writerCutsPartialLineBeforeAppending() throws IOException {
    Path file = tmp.resolve("metrics.jsonl");
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(file)) {
      w.accept(sampleEvents().get(2));
    }
    Files.writeString(file, "{\"event\":\"st", StandardOpenOption.APPEND);
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(file)) {
      w.accept(sampleEvents().get(4));
    }
    assertEquals(2, Files.readAllLines(file).size());
    assertEquals(List.of(sampleEvents().get(2), sampleEvents().get(4)), MetricsReader.read(file));
  }

  @Test
  void readFromFollowsAGrowingFileAndSkipsUnknownEvents() throws IOException {
    Path file = tmp.resolve("metrics.jsonl");
    List<RunEvent> all = sampleEvents();
    List<RunEvent> seen = new ArrayList<>();
    long offset = 0;
    try (JsonlMetricsWriter w = new JsonlMetricsWriter(file)) {
      w.accept(all.get(0));
      w.accept(all.get(1));
      MetricsReader.Chunk c = MetricsReader.readFrom(file, offset);
      seen.addAll(c.events());
      offset = c.nextOffset();
      assertEquals(Files.size(file), offset);
      Files.writeString(file, "{\"event\":\"from_the_future\",\"time\":\"x\",\"step\":3}\n", StandardOpenOption.APPEND);
      w.accept(all.get(2));
      Files.writeString(file, "{\"event\":\"eval\",", StandardOpenOption.APPEND); // being written
      c = MetricsReader.readFrom(file, offset);
      seen.addAll(c.events());
      assertEquals(Files.size(file) - "{\"event\":\"eval\",".length(), c.nextOffset());
    }
    assertEquals(all.subList(0, 3), seen);
    assertNull(MetricsReader.parseLine("{\"event\":\"from_the_future\"}"));
  }

  @Test
  void stampedConstructorsUseCurrentTime() {
    Instant before = Instant.now().minusMillis(1);
    RunEvent e = new RunEvent.Step(3, 1.0, null, 1e-3, 0.5, 100, 10);
    assertTrue(!e.time().isBefore(before) && !e.time().isAfter(Instant.now()));
    assertEquals("step", e.eventName());
    assertEquals("run_failed", RunEvent.RunFailed.of(4, new IllegalStateException("x")).eventName());
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }
}
