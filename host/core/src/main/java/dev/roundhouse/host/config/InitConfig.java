package dev.roundhouse.host.config;

/**
 * Where a new run's initial weights come from (the whole section is optional; absent = random init
 * from the seed). At most one of {@code from} and {@code upcycle}.
 *
 * @param from an export folder ({@code roundhouse export}) whose model.safetensors becomes the initial
 *     weights; the model config must match it (tensor names and shapes are checked, errors name the
 *     tensor and both shapes)
 * @param upcycle a dense run directory (every layer a dense FFN) whose newest checkpoint initialises this
 *     MoE: embeddings, attention, norms and head copied; each routed expert a copy of the dense FFN
 *     (expertHidden = the dense hidden) or a slice of its hidden dim (granular), down-projection scaled so
 *     the layer's output equals the dense FFN's when the router is uniform; shared experts start with a
 *     zero down-projection; see docs/export.md
 * @param routerStd std of the upcycled routers' initial weights (default 0: exactly uniform routing at
 *     the first step); >= 0
 */
public record InitConfig(String from, String upcycle, Double routerStd) {
  public InitConfig {
    routerStd = routerStd == null ? 0.0 : routerStd;
  }

  void check(String path, Problems p) {
    if (from != null && from.isBlank()) {
      p.add(path + ".from", "must name an export folder or be null");
    }
    if (upcycle != null && upcycle.isBlank()) {
      p.add(path + ".upcycle", "must name a dense run directory or be null");
    }
    if (from != null && upcycle != null) {
      p.add(path + ".upcycle", "cannot be combined with init.from");
    }
    if (!(routerStd >= 0) || Double.isInfinite(routerStd)) {
      p.add(path + ".routerStd", "must be a finite number >= 0, got " + routerStd);
    }
  }
}
