package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.api.Routing;
import dev.roundhouse.host.config.AlarmsConfig;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class RouterAlarmsTest {
  static List<String> kinds(List<RunEvent.Alarm> alarms) {
    return alarms.stream().map(RunEvent.Alarm::kind).sorted().toList();
  }

  static RouterAlarms alarms(AlarmsConfig c) {
    return new RouterAlarms(c, List.of(1), 4, 2, 0);
  }

  @Test
  void evenLoadRaisesNothing() {
    RouterAlarms a = alarms(AlarmsConfig.defaults());
    a.observeStep(1, new long[] {5, 5, 5, 5}, 1);
    assertEquals(List.of(), a.checkWindow(10, LayerLoad.of(1, new long[] {10, 10, 10, 10}, null, null, 0, null)));
  }

  @Test
  void skewedLoadRaisesEntropyCvAndPinnedAlarmsWithThresholdsInTheMessage() {
    // (with E = 4 and top-2 the cv cannot exceed 100%, so this layer's threshold is lowered to 50%)
    RouterAlarms a = alarms(new AlarmsConfig(null, 50.0, null, null));
    // 100 tokens x top-2: expert 0 picked by every token = 1/k = 0.5 of the load
    LayerLoad pinned = LayerLoad.of(1, new long[] {100, 98, 1, 1}, null, null, 0, null);
    List<RunEvent.Alarm> out = a.checkWindow(10, pinned);
    assertEquals(List.of(RouterAlarms.LOAD_IMBALANCE, RouterAlarms.MAX_LOAD_PINNED), kinds(out));
    assertTrue(out.get(0).message().contains("cvPctMax"), out.get(0).message());
    LayerLoad collapsed = LayerLoad.of(1, new long[] {100, 1, 1, 1}, null, null, 0, null);
    assertEquals(List.of(RunEvent.Alarm.ENTROPY_COLLAPSE, RouterAlarms.LOAD_IMBALANCE, RouterAlarms.MAX_LOAD_PINNED),
        kinds(a.checkWindow(10, collapsed)));
    // thresholds are configurable; 0 turns an alarm off
    RouterAlarms off = alarms(new AlarmsConfig(0.0, 0.0, 0, 0.0));
    assertEquals(List.of(), off.checkWindow(10, collapsed));
    RouterAlarms loose = alarms(new AlarmsConfig(0.05, 500.0, null, 1.0));
    assertEquals(List.of(), loose.checkWindow(10, LayerLoad.of(1, new long[] {98, 98, 2, 2}, null, null, 0, null)));
    assertEquals(List.of(RouterAlarms.MAX_LOAD_PINNED), kinds(loose.checkWindow(10, pinned)));
  }

  @Test
  void noWindowAlarmInTheGracePeriodAfterStartOrResume() {
    LayerLoad collapsed = LayerLoad.of(1, new long[] {100, 1, 1, 1}, null, null, 0, null);
    AlarmsConfig grace = new AlarmsConfig(null, 50.0, null, null, 3);
    RouterAlarms fresh = new RouterAlarms(grace, List.of(1), 4, 2, 0);
    assertEquals(List.of(), fresh.checkWindow(1, collapsed));
    assertEquals(List.of(), fresh.checkWindow(3, collapsed));
    assertEquals(3, fresh.checkWindow(4, collapsed).size(), "alarms resume after the grace period");
    RouterAlarms resumed = new RouterAlarms(grace, List.of(1), 4, 2, 100);
    assertEquals(List.of(), resumed.checkWindow(103, collapsed));
    assertEquals(3, resumed.checkWindow(104, collapsed).size());
    // the default is the longer of three log intervals and the LR warmup, filled in by the training config
    assertEquals(30, AlarmsConfig.defaults().withDefaultGrace(10, 20).graceSteps());
    assertEquals(50, AlarmsConfig.defaults().withDefaultGrace(1, 50).graceSteps());
    assertEquals(0, new AlarmsConfig(null, null, null, null, 0).withDefaultGrace(10, 50).graceSteps());
  }

  @Test
  void deadExpertsAreThoseWithoutTokensForTheConfiguredSteps() {
    RouterAlarms a = alarms(new AlarmsConfig(0.0, 0.0, 3, 0.0));
    for (int step = 1; step <= 3; step++) {
      a.observeStep(1, new long[] {4, step == 1 ? 1 : 0, 0, 3}, step);
    }
    // step 3: expert 2 had no tokens in steps 1..3; expert 1 had some at step 1
    List<RunEvent.Alarm> at3 = a.checkWindow(3, LayerLoad.of(1, new long[] {12, 1, 0, 9}, null, null, 0, null));
    assertEquals(1, at3.size());
    assertEquals(RunEvent.Alarm.DEAD_EXPERTS, at3.get(0).kind());
    assertTrue(at3.get(0).message().endsWith("steps: [2]"), at3.get(0).message());
    a.observeStep(1, new long[] {4, 0, 0, 3}, 4);
    List<RunEvent.Alarm> at4 = a.checkWindow(4, LayerLoad.of(1, new long[] {4, 0, 0, 3}, null, null, 0, null));
    assertTrue(at4.get(0).message().startsWith("2 experts") && at4.get(0).message().endsWith("[1, 2]"),
        at4.get(0).message());
  }

  @Test
  void nonFiniteRouterOutputAlarmsAtOnce() {
    RouterAlarms a = alarms(AlarmsConfig.defaults());
    Tensor gates = Tensor.constant(Nd4j.createFromArray(0.5f, Float.NaN));
    Routing nan = new Routing(1, 4, new int[] {0, 0}, new int[] {0, 1}, gates, Map.of(), Map.of());
    assertEquals(List.of(RouterAlarms.ROUTER_NON_FINITE), kinds(a.checkRouting(3, 1, "r", nan)));
    Routing stat = new Routing(1, 4, new int[] {0}, new int[] {0}, Tensor.constant(Nd4j.createFromArray(1f)),
        Map.of(), Map.of("logits_nonfinite", 2.0));
    assertTrue(a.checkRouting(3, 1, "r", stat).get(0).message().contains("2 NaN/infinite logits"));
    Routing fine = new Routing(1, 4, new int[] {0}, new int[] {0}, Tensor.constant(Nd4j.createFromArray(1f)),
        Map.of(), Map.of());
    assertEquals(List.of(), a.checkRouting(3, 1, "r", fine));
  }

  @Test
  void thresholdsAreValidatedWithTheirPath() {
    ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> TinyRuns.tiny("train.alarms.entropyNormMin=1.5", "train.alarms.cvPctMax=-1"));
    assertTrue(e.getMessage().contains("train.alarms.entropyNormMin"), e.getMessage());
    assertTrue(e.getMessage().contains("train.alarms.cvPctMax"), e.getMessage());
    assertEquals(50, TinyRuns.tiny().train().alarms().deadExpertSteps());
  }
}
