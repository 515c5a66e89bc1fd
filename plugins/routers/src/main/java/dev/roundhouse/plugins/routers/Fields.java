package dev.roundhouse.plugins.routers;

/** The router-specific field check (aux-loss scope); numeric fields use the API's {@code ConfigFields}. */
final class Fields {
  private Fields() {}

  /** The aux-loss scope name, checked: "batch", "sequence" or "global". */
  static String scope(String router, String value) {
    if (value == null) {
      return BalanceLosses.Scope.BATCH.configName();
    }
    BalanceLosses.Scope.of(router, value);
    return value;
  }
}
