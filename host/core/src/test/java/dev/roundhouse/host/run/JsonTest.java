package dev.roundhouse.host.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  record Sample(String zeta, int alpha, Map<String, Double> mid, Instant at) {}

  @Test
  void mapsRecordsAndTreesAreWrittenWithSortedKeys() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("b", 1);
    map.put("a", Map.of("y", 1, "x", 2));
    assertEquals("{\"a\":{\"x\":2,\"y\":1},\"b\":1}", Json.line(map));

    Sample s = new Sample("z", 3, new LinkedHashMap<>(Map.of("q", 1.0)), Instant.parse("2026-01-02T03:04:05Z"));
    assertEquals("{\"alpha\":3,\"at\":\"2026-01-02T03:04:05Z\",\"mid\":{\"q\":1.0},\"zeta\":\"z\"}", Json.line(s));

    JsonNode tree = Json.parse("{\"z\":{\"d\":1,\"c\":[{\"n\":1,\"m\":null}]},\"a\":true}", "test");
    assertEquals("{\"a\":true,\"z\":{\"c\":[{\"m\":null,\"n\":1}],\"d\":1}}", Json.line(tree));
  }

  @Test
  void prettyIsIndentedWithTrailingNewlineAndLineIsOneLine() {
    JsonNode tree = Json.parse("{\"b\":[1,2],\"a\":{\"c\":\"x\\ny\"}}", "test");
    assertEquals("{\n  \"a\": {\n    \"c\": \"x\\ny\"\n  },\n  \"b\": [ 1, 2 ]\n}\n", Json.pretty(tree));
    assertTrue(!Json.line(tree).contains("\n"));
  }

  @Test
  void nonFiniteNumbersAreWrittenAsNullAndReadBackAsNaN() throws Exception {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("nan", Double.NaN);
    m.put("neg", Double.NEGATIVE_INFINITY);
    m.put("pos", Double.POSITIVE_INFINITY);
    String line = Json.line(m);
    assertEquals("{\"nan\":null,\"neg\":null,\"pos\":null}", line);
    record D(double nan, Double neg, double pos) {}
    D d = Json.mapper().readValue(line, D.class);
    assertTrue(Double.isNaN(d.nan()), "null into a double is NaN");
    assertEquals(null, d.neg(), "null into a Double stays null");
    assertTrue(Double.isNaN(d.pos()));
    assertEquals("{\"nan\":null,\"neg\":-1.5,\"pos\":null}",
        Json.line(new D(Double.NaN, -1.5, Double.POSITIVE_INFINITY)));
    // the strings other tools write are accepted
    assertEquals(Double.NEGATIVE_INFINITY,
        Json.mapper().readValue("{\"nan\":\"NaN\",\"neg\":\"-Infinity\",\"pos\":1}", D.class).neg());
    // bare NaN from other tools is accepted too
    assertTrue(Double.isNaN(Json.mapper().readValue("{\"nan\":NaN,\"neg\":1,\"pos\":2}", D.class).nan()));
  }

  @Test
  void canonicalHashIgnoresKeyOrder() {
    JsonNode a = Json.parse("{\"x\":1,\"y\":[1,2]}", "a");
    JsonNode b = Json.parse("{\"y\":[1,2],\"x\":1}", "b");
    assertEquals(Json.sha256(a), Json.sha256(b));
    assertTrue(!Json.sha256(a).equals(Json.sha256(Json.parse("{\"x\":2,\"y\":[1,2]}", "c"))));
    assertEquals(64, Json.sha256(List.of(1)).length());
  }
}
