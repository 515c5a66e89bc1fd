package dev.roundhouse.host.config;

/**
 * Where a new run's initial weights come from (the whole section is optional; absent = random init
 * from the seed).
 *
 * @param from an export folder ({@code roundhouse export}) whose model.safetensors becomes the initial
 *     weights; the model config must match it (tensor names and shapes are checked, errors name the
 *     tensor and both shapes)
 */
public record InitConfig(String from) {
  void check(String path, Problems p) {
    if (from != null && from.isBlank()) {
      p.add(path + ".from", "must name an export folder or be null");
    }
  }
}
