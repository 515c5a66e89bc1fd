package dev.roundhouse.api;

import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The result of routing N tokens over E experts as M (token, expert, gate) assignments. Token
 * choice gives M = N * k; expert choice gives M = E * capacity with tokens appearing 0..E times.
 *
 * <h2>Contract (what the host does with it)</h2>
 *
 * <ul>
 *   <li><b>Output.</b> Token n's MoE output is the shared experts' output plus the sum over its
 *       assignments i (tokenIndex[i] = n) of {@code gates[i] * expert_{expertIndex[i]}(x[n])}. A token
 *       with no assignment gets only the shared experts (report such tokens in {@code stats}, e.g.
 *       {@code tokens_unrouted}). Gates are used as given: normalising them (softmax over the top-k,
 *       renormalisation, a scale) is the router's choice.
 *   <li><b>Order.</b> Any order is valid and gives the same output. Order matters only when the run sets
 *       a capacity ({@code model.moe.capacityFactor}) with {@code model.moe.dropPolicy} "position": an expert over
 *       capacity keeps its assignments that come first in this array. So list assignments by ascending
 *       token (token choice: token-major, {@code i = n * k + slot}) to make "position" mean "earliest
 *       tokens". The host groups assignments by expert with a stable sort; it never reorders gates.
 *   <li><b>Duplicates.</b> A (token, expert) pair may appear more than once; each copy is computed and
 *       added, exactly as if it appeared once with the summed gate. Routers normally avoid them (top-k
 *       never repeats an expert for one token) because each copy costs an expert evaluation.
 *   <li><b>Checks.</b> The host rejects, naming the router, a routing whose numTokens/numExperts differ
 *       from the layer's or whose indices fall outside [0, N) and [0, E). Array lengths must match
 *       (checked here).
 *   <li><b>Gradients.</b> Only {@code gates} and {@code losses} carry gradients back to the router (and
 *       through them to x); the index arrays are integers and are not differentiated, so a learnable router
 *       must make its gates depend on its parameters.
 *   <li><b>Losses</b> are added to the training loss as given (apply coefficients inside); metrics report
 *       each as its mean per micro-batch, per layer.
 *   <li><b>Stats</b> are diagnostics only: the host <em>sums</em> each over the micro-batches (and
 *       data-parallel shards) of a reporting window, so report counts (e.g. {@code tokens_unrouted}),
 *       not means. A stat {@code logits_nonfinite} &gt; 0 raises the router alarm.
 * </ul>
 *
 * <p>Thread-safety: an immutable value as far as the host is concerned; the router must not change the
 * arrays after returning them.
 *
 * @param numTokens N
 * @param numExperts E
 * @param tokenIndex [M] row of x each assignment reads
 * @param expertIndex [M] expert of each assignment, in [0, E)
 * @param gates [M] differentiable weight of each assignment's expert output
 * @param losses named scalar losses, coefficients already applied (e.g. "aux", "z"); added to the
 *     training loss
 * @param stats named scalar diagnostics (not differentiated), e.g. "tokens_unrouted"; summed over
 *     micro-batches in reports
 */
public record Routing(
    int numTokens,
    int numExperts,
    int[] tokenIndex,
    int[] expertIndex,
    Tensor gates,
    Map<String, Tensor> losses,
    Map<String, Double> stats) {
  public Routing {
    if (tokenIndex.length != expertIndex.length || gates.data().length() != tokenIndex.length) {
      throw new IllegalArgumentException("routing arrays differ in length: tokens " + tokenIndex.length
          + ", experts " + expertIndex.length + ", gates " + Arrays.toString(gates.shape()));
    }
  }

  /** Assignments per expert: [E]. */
  public long[] tokensPerExpert() {
    long[] counts = new long[numExperts];
    for (int e : expertIndex) {
      counts[e]++;
    }
    return counts;
  }
}
