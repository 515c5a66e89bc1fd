package dev.roundhouse.host.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.OptimizerGroupConfig;
import dev.roundhouse.host.config.OptimizerGroupsCheck;
import dev.roundhouse.host.config.ParamSelector;
import dev.roundhouse.host.config.Problems;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.tensor.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Parameter groups through the real optimizer plugin jar: selection, validation, state, table. */
class OptimizerGroupsTest {
  private static PluginRegistry registry;

  @BeforeAll
  static void open() {
    String dir = System.getProperty("roundhouse.test.plugins");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "plugin jars not built");
    registry = new PluginRegistry(Path.of(dir));
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  static OptimizerGroups.Factory factory() {
    return new OptimizerGroups.Factory() {
      @Override
      public Optimizer build(JsonNode section, OptimizerContext context, String jsonPath) {
        return (Optimizer) registry.build(Kind.OPTIMIZER, section, context, jsonPath);
      }

      @Override
      public JsonNode resolved(JsonNode section, String jsonPath) {
        return ConfigLoader.mapper().valueToTree(registry.readConfig(Kind.OPTIMIZER, section, jsonPath));
      }
    };
  }

  static List<Parameter> model() {
    return List.of(
        p("embedding", ParamRole.EMBEDDING, 8, 4),
        p("layers.0.attn_norm", ParamRole.NORM, 4),
        p("layers.0.attn.wq", ParamRole.ATTENTION, 4, 4),
        p("layers.0.moe.router.w", ParamRole.ROUTER, 2, 4),
        p("layers.0.moe.experts.0.w1", ParamRole.ROUTED_EXPERT, 6, 4),
        p("layers.0.moe.experts.1.w1", ParamRole.ROUTED_EXPERT, 6, 4),
        p("head", ParamRole.HEAD, 8, 4));
  }

  static Parameter p(String name, ParamRole role, long... shape) {
    return new Parameter(name, role, Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape));
  }

  static List<OptimizerGroupConfig> groups(String json) throws Exception {
    return List.of(ConfigLoader.mapper().readValue(json, OptimizerGroupConfig[].class));
  }

  static JsonNode adamw() throws Exception {
    return ConfigLoader.mapper().readTree("{\"type\": \"adamw\", \"lr\": 0.001, \"weightDecay\": 0.1}");
  }

  @Test
  void muonOnMatricesAdamwOnTheRestWithTableAndPrefixedState() throws Exception {
    List<Parameter> ps = model();
    OptimizerSet set = OptimizerGroups.build(adamw(), groups("""
        [{"name": "matrices", "select": {"roles": ["attention", "routed_expert"], "rank": 2},
          "optimizer": {"type": "muon", "lr": 0.02, "weightDecay": 0.01}, "scheduleMultiplier": 0.5},
         {"name": "rest", "select": {"rest": true}}]"""), ps, factory());
    assertEquals(2, set.groups().size());
    assertEquals(List.of("layers.0.attn.wq", "layers.0.moe.experts.0.w1", "layers.0.moe.experts.1.w1"),
        set.groups().get(0).params().stream().map(Parameter::name).toList());
    assertEquals(4, set.groups().get(1).params().size());
    String table = set.table();
    assertTrue(table.startsWith("group"), table);
    assertTrue(table.lines().anyMatch(l -> l.matches("matrices\\s+muon\\s+3\\s+64\\s+0\\.0200\\s+0\\.0100\\s+0\\.500.*")), table);
    assertTrue(table.lines().anyMatch(l -> l.matches("rest\\s+adamw\\s+4\\s+76\\s+0\\.00100\\s+0\\.100\\s+1\\.00\\s+rest")), table);
    for (Parameter q : ps) {
      q.grad().assign(0.1);
    }
    set.step(1.0);
    Map<String, INDArray> state = set.state();
    assertTrue(state.containsKey("matrices/layers.0.attn.wq/b"), state.keySet().toString());
    assertTrue(state.containsKey("rest/head/m") && state.containsKey("rest/step"), state.keySet().toString());
    assertFalse(state.keySet().stream().anyMatch(k -> k.startsWith("all/")));
  }

  @Test
  void noGroupsMeansOneAdamwGroupWithTheDefaultDecayRule() throws Exception {
    List<Parameter> ps = model();
    OptimizerSet set = OptimizerGroups.build(adamw(), null, ps, factory());
    assertEquals("all", set.groups().get(0).name());
    assertEquals(ps.size(), set.groups().get(0).params().size());
    INDArray router = ps.get(3).data().dup();
    INDArray attn = ps.get(2).data().dup();
    set.step(1.0); // zero gradients: only weight decay moves anything
    assertEquals(router, ps.get(3).data(), "router weights take no decay by default");
    assertEquals(attn.mul(1 - 0.001 * 0.1), ps.get(2).data());
    assertTrue(set.state().containsKey("all/step"));
  }

  @Test
  void groupDecayOverrideAndScheduleMultiplier() throws Exception {
    List<Parameter> ps = model();
    OptimizerSet set = OptimizerGroups.build(adamw(), groups("""
        [{"name": "router", "select": {"roles": ["router"]}, "decay": true, "scheduleMultiplier": 2.0},
         {"name": "rest", "select": {"rest": true}, "decay": false}]"""), ps, factory());
    INDArray router = ps.get(3).data().dup();
    INDArray attn = ps.get(2).data().dup();
    set.step(0.5);
    assertEquals(router.mul(1 - 0.001 * 0.5 * 2.0 * 0.1), ps.get(3).data());
    assertEquals(attn, ps.get(2).data());
  }

  @Test
  void unmatchedDoublyMatchedAndEmptyGroupsAreErrorsNamingThem() throws Exception {
    ConfigException e = assertThrows(ConfigException.class, () -> OptimizerGroups.build(adamw(), groups("""
        [{"name": "a", "select": {"names": ["layers.*.attn.*", "head"]}},
         {"name": "b", "select": {"rank": 2, "roles": ["attention", "routed_expert"]}},
         {"name": "c", "select": {"names": ["layers.9.*"]}}]"""), model(), factory()));
    String msg = String.join("\n", e.problems());
    assertTrue(msg.contains("parameter 'layers.0.attn.wq' matches more than one group: optimizerGroups[0] 'a', "
        + "optimizerGroups[1] 'b'"), msg);
    assertTrue(msg.contains("parameter 'embedding' (role embedding, rank 2) matches no group"), msg);
    assertTrue(msg.contains("parameter 'layers.0.attn_norm'"), msg);
    assertTrue(msg.contains("optimizerGroups[2] 'c': selects no parameter (names=layers.9.*)"), msg);
  }

  @Test
  void muonOnAVectorNamesTheParameterAndThePath() throws Exception {
    RuntimeException e = assertThrows(RuntimeException.class, () -> OptimizerGroups.build(adamw(), groups("""
        [{"name": "all", "select": {"rest": true}, "optimizer": {"type": "muon"}}]"""), model(), factory()));
    String msg = e.getMessage();
    assertTrue(msg.contains("optimizerGroups[0].optimizer") && msg.contains("'layers.0.attn_norm'"), msg);
  }

  @Test
  void structuralChecksNameTheField() throws Exception {
    Problems p = new Problems();
    OptimizerGroupsCheck.check(groups("""
        [{"name": "x y", "select": {"roles": ["experts"]}},
         {"name": "b", "select": {}},
         {"name": "b", "select": {"rest": true, "rank": 1}, "scheduleMultiplier": -1},
         {"name": "d", "select": {"rest": true}, "optimizer": {"lr": 1}}]"""), "optimizerGroups", p);
    String msg = String.join("\n", p.list());
    assertTrue(msg.contains("optimizerGroups[0].name: must be"), msg);
    assertTrue(msg.contains("optimizerGroups[0].select.roles[0]: unknown role 'experts'"), msg);
    assertTrue(msg.contains("optimizerGroups[1].select: needs roles"), msg);
    assertTrue(msg.contains("optimizerGroups[2].name: duplicate group name \"b\""), msg);
    assertTrue(msg.contains("optimizerGroups[2].select.rest: a rest selector takes no"), msg);
    assertTrue(msg.contains("optimizerGroups[2].scheduleMultiplier"), msg);
    assertTrue(msg.contains("optimizerGroups[3].select.rest: only one group"), msg);
    assertTrue(msg.contains("optimizerGroups[3].optimizer: must be an object with a \"type\""), msg);
  }

  @Test
  void globsMatchWholeNames() {
    assertTrue(ParamSelector.glob("layers.*.attn.w?").matcher("layers.12.attn.wq").matches());
    assertFalse(ParamSelector.glob("layers.*.attn.w?").matcher("layers.1.attn.wqq").matches());
    assertFalse(ParamSelector.glob("head").matcher("heads").matches());
  }
}
