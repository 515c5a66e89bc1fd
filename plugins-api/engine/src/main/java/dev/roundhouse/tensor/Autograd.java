package dev.roundhouse.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reverse-mode traversal of the graph below a root tensor. */
final class Autograd {
  private Autograd() {}

  static void backward(Tensor root, INDArray seed) {
    if (!root.requiresGrad()) {
      throw new IllegalStateException("backward() on a tensor that does not require grad: " + root);
    }
    List<Tensor> order = topologicalOrder(root);
    if (ArenaSegments.current() != null) {
      SegmentedBackward.run(order, root, seed);
      return;
    }
    root.addGrad(seed);
    for (int i = order.size() - 1; i >= 0; i--) {
      step(order.get(i));
    }
  }

  /**
   * Plain backward from several roots at once (a checkpointed segment's outputs), each seeded with
   * its gradient, in the current workspace; no per-block arenas. Roots come first to last in the
   * order of the traversal, as one root's graph followed by what the next adds.
   */
  static void backwardPlain(List<Tensor> roots, List<INDArray> seeds) {
    List<Tensor> order = new ArrayList<>();
    Map<Tensor, Boolean> visited = new IdentityHashMap<>();
    for (Tensor r : roots) {
      if (!visited.containsKey(r)) {
        order.addAll(topologicalOrder(r, visited));
      }
    }
    for (int i = 0; i < roots.size(); i++) {
      roots.get(i).addGrad(seeds.get(i));
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      step(order.get(i));
    }
  }

  /** Runs one node's backward, then drops its gradient and cuts it from the graph. */
  static void step(Tensor t) {
    Tensor.BackwardFn fn = t.backwardFn;
    if (fn != null) {
      INDArray g = t.grad;
      if (g != null) {
        fn.apply(g);
      }
      // Intermediate: gradient consumed, graph cut so its arrays can be released.
      t.grad = null;
      t.releaseGraph();
    }
  }

  /** Nodes that require grad, parents before children (iterative DFS, deep graphs are fine). */
  static List<Tensor> topologicalOrder(Tensor root) {
    return topologicalOrder(root, new IdentityHashMap<>());
  }

  /** Like {@link #topologicalOrder(Tensor)}, skipping (and adding to) {@code visited}. */
  private static List<Tensor> topologicalOrder(Tensor root, Map<Tensor, Boolean> visited) {
    List<Tensor> order = new ArrayList<>();
    ArrayDeque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {root, 0});
    visited.put(root, Boolean.TRUE);
    while (!stack.isEmpty()) {
      Object[] frame = stack.peek();
      Tensor t = (Tensor) frame[0];
      int next = (Integer) frame[1];
      Tensor[] ps = t.parents == null ? new Tensor[0] : t.parents;
      if (next < ps.length) {
        frame[1] = next + 1;
        Tensor p = ps[next];
        if (p != null && p.requiresGrad() && !visited.containsKey(p)) {
          visited.put(p, Boolean.TRUE);
          stack.push(new Object[] {p, 0});
        }
      } else {
        stack.pop();
        order.add(t);
      }
    }
    return order;
  }
}
