package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of run configs through what {@code roundhouse validate} and {@code run} do before
 * training: the reference config with 1-4 random edits (deleted keys, values of the wrong type or out of range,
 * unknown keys, unknown plugin ids) and sometimes corrupted JSON text, read by {@link ConfigLoader}, checked by
 * {@link RunFactory#pluginProblems} and resolved. The only allowed failure is a ConfigException; each problem it
 * lists (and each plugin problem) starts with the JSON path at fault, and a text error names the file.
 */
class ConfigFuzzTest {
  static final int CASES = 400;
  static final long SEED = 7L;
  static final Pattern PATH_FIRST = Pattern.compile("^[A-Za-z][A-Za-z0-9_]*(\\[\\d+])?(\\.[A-Za-z0-9_]+(\\[\\d+])?)*: .+",
      Pattern.DOTALL);
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  @TempDir Path dir;

  static int casesRun;
  static int rejected;

  @Test
  void mutatedConfigsAreAcceptedOrRejectedNamingTheJsonPath() throws Exception {
    ObjectNode base = ConfigLoader.toTree(ConfigLoader.load(null, List.of()));
    Random rnd = new Random(SEED);
    List<String> bugs = new ArrayList<>();
    int rejectedHere = 0;
    Path file = dir.resolve("fuzz.json");
    try (PluginRegistry registry = TinyRuns.registry()) {
      for (int i = 0; i < CASES; i++) {
        ObjectNode tree = base.deepCopy();
        for (int m = 0, n = 1 + rnd.nextInt(4); m < n; m++) {
          mutate(tree, rnd);
        }
        String text = tree.toPrettyString();
        boolean corruptText = rnd.nextInt(10) == 0;
        if (corruptText) {
          int at = rnd.nextInt(text.length());
          text = rnd.nextBoolean() ? text.substring(0, at) : text.substring(0, at) + "\u0000}{" + text.substring(at);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        try {
          RunConfig cfg = ConfigLoader.load(file, List.of());
          List<String> problems = RunFactory.pluginProblems(cfg, registry);

          for (String p : problems) {
            if (!PATH_FIRST.matcher(p).matches()) {
              bugs.add("case " + i + ": plugin problem without a JSON path: " + p);
            }
          }
          if (problems.isEmpty()) {
            RunFactory.resolve(cfg, registry);
          } else {
            rejectedHere++;
          }
        } catch (ConfigException e) {
          rejectedHere++;
          for (String p : e.problems()) {
            if (!PATH_FIRST.matcher(p).matches() && !e.getMessage().contains(file.toString())) {
              bugs.add("case " + i + ": problem names neither JSON path nor file: " + p);
            }
          }
        } catch (RuntimeException | Error e) {
          bugs.add("case " + i + ": uncaught " + e + " for " + text.replace('\n', ' '));
        }
      }
    }
    casesRun = CASES;
    rejected = rejectedHere;
    System.out.println("config fuzz: " + CASES + " cases, " + rejectedHere + " rejected, " + bugs.size() + " bugs");
    if (!bugs.isEmpty()) {
      fail(bugs.size() + " bad outcomes (seed " + SEED + "), first: " + bugs.subList(0, Math.min(3, bugs.size())));
    }
    assertTrue(rejectedHere > CASES / 4 && rejectedHere < CASES, "rejected " + rejectedHere);
  }

  /** Applies one random edit somewhere in the tree. */
  static void mutate(ObjectNode root, Random rnd) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    JsonNode target = containers.get(rnd.nextInt(containers.size()));
    if (target instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      int op = rnd.nextInt(10);
      if (names.isEmpty() || op == 0) {
        o.set(rnd.nextBoolean() ? "unknownKey" + rnd.nextInt(9) : "type", randomValue(rnd));
      } else if (op == 1) {
        o.remove(names.get(rnd.nextInt(names.size())));
      } else {
        o.set(names.get(rnd.nextInt(names.size())), randomValue(rnd));
      }
    } else if (target instanceof ArrayNode a) {
      if (a.isEmpty() || rnd.nextBoolean()) {
        a.add(randomValue(rnd));
      } else {
        a.set(rnd.nextInt(a.size()), randomValue(rnd));
      }
    }
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      n.elements().forEachRemaining(c -> collect(c, out));
    }
  }

  static JsonNode randomValue(Random rnd) {
    return switch (rnd.nextInt(16)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(rnd.nextBoolean());
      case 2 -> F.numberNode(0);
      case 3 -> F.numberNode(-1 - rnd.nextInt(1000));
      case 4 -> F.numberNode(Integer.MAX_VALUE);
      case 5 -> F.numberNode(Long.MAX_VALUE);
      case 6 -> F.numberNode(1e308);
      case 7 -> F.numberNode(rnd.nextDouble());
      case 8 -> F.numberNode(1 + rnd.nextInt(64));
      case 9 -> F.textNode("");
      case 10 -> F.textNode(List.of("mha", "softmax-topk", "adamw", "fp32", "nope", "../x", "stop", "skip",
          "double", "float", "cosine").get(rnd.nextInt(11)));
      case 11 -> F.arrayNode().add(F.numberNode(rnd.nextInt(4)));
      case 12 -> F.objectNode();
      case 13 -> F.objectNode().put("type", List.of("mha", "softmax-topk", "adamw", "fp32", "nope").get(rnd.nextInt(5)));
      case 14 -> F.numberNode(1 << (10 + rnd.nextInt(20)));
      default -> F.textNode("x".repeat(rnd.nextInt(300)));
    };
  }
}
