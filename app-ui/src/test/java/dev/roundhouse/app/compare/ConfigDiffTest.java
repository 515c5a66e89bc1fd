package dev.roundhouse.app.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roundhouse.app.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
  @Test
  void onlyTheFieldsThatDifferAreListedPerRun() {
    var a = Fixtures.tinyTree("a", 20);
    var b = Fixtures.tinyTree("b", 20, "optimizer.lr=0.05", "model.moe.router={\"type\":\"sigmoid-topk\"}");
    var c = Fixtures.tinyTree("c", 20);
    List<List<String>> d = ConfigDiff.of(List.of(a, b, c));
    assertEquals(List.of("model.moe.router.type=softmax-topk", "optimizer.lr=0.01"), d.get(0).stream()
        .filter(s -> s.startsWith("model.moe.router.type") || s.startsWith("optimizer.lr")).toList());
    assertEquals(d.get(0), d.get(2), "a and c are configured alike");
    assertEquals(true, d.get(1).contains("optimizer.lr=0.05"), d.get(1).toString());
    assertEquals(List.of(List.of(), List.of()), ConfigDiff.of(List.of(a, Fixtures.tinyTree("other-name", 20))),
        "the name alone is no difference");
  }
}
