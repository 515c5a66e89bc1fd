package dev.roundhouse.host.train;

import dev.roundhouse.api.Routing;
import dev.roundhouse.host.model.DispatchPlan;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.tensor.Tensor;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the host keeps of one layer's routing of one micro-batch, as plain Java values: it is taken
 * on the thread that ran the forward pass, while the routing's arrays are still alive, and read
 * later by the training thread ({@link ExpertLoadTracker}, {@link RouterAlarms}).
 *
 * @param tokensPerExpert [E] assignments kept per expert (after capacity drops)
 * @param dropped assignments dropped by the capacity limit
 * @param losses the router's loss values by name
 * @param stats the router's diagnostics by name
 * @param gateSum sum of all gates (non-finite when a gate is)
 * @param plan the dispatch plan (which token rows each expert got), or null
 */
public record RoutingRecord(long[] tokensPerExpert, int dropped, Map<String, Double> losses,
    Map<String, Double> stats, double gateSum, DispatchPlan plan) {

  /** Reads a layer's last routing (scalars via item(), one sum over the gates). */
  public static RoutingRecord of(MoeLayer.LayerRouting r) {
    return of(r.routing(), r.tokensPerExpert(), r.dropped(), r.plan());
  }

  /** Reads a router's output directly (no capacity drops applied). */
  public static RoutingRecord of(Routing r) {
    return of(r, r.tokensPerExpert(), 0, null);
  }

  private static RoutingRecord of(Routing r, long[] counts, int dropped, DispatchPlan plan) {
    Map<String, Double> losses = new TreeMap<>();
    for (Map.Entry<String, Tensor> e : r.losses().entrySet()) {
      losses.put(e.getKey(), e.getValue().item());
    }
    double gateSum = r.gates().data().length() == 0 ? 0 : r.gates().data().sumNumber().doubleValue();
    return new RoutingRecord(counts, dropped, losses, Map.copyOf(r.stats()), gateSum, plan);
  }
}
