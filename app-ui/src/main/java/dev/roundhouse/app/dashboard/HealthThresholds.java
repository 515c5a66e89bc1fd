package dev.roundhouse.app.dashboard;

/**
 * Alarm colours of the router health table (documented in docs/app.md). Levels per layer and metric:
 * <ul>
 *   <li>entropy_norm: alarm below {@value #ENTROPY_ALARM} (the trainer's entropy_collapse threshold),
 *       warn below {@value #ENTROPY_WARN}</li>
 *   <li>cv_pct: warn above {@value #CV_WARN}, alarm above {@value #CV_ALARM}</li>
 *   <li>maxvio: warn above {@value #MAXVIO_WARN}, alarm above {@value #MAXVIO_ALARM}</li>
 *   <li>dead experts: alarm when any</li>
 * </ul>
 */
public final class HealthThresholds {
  public static final double ENTROPY_ALARM = 0.5;
  public static final double ENTROPY_WARN = 0.8;
  public static final double CV_WARN = 50;
  public static final double CV_ALARM = 100;
  public static final double MAXVIO_WARN = 0.5;
  public static final double MAXVIO_ALARM = 1.0;

  /** Severity of one cell. */
  public enum Level { OK, WARN, ALARM }

  private HealthThresholds() {}

  public static Level entropy(double entropyNorm) {
    return entropyNorm < ENTROPY_ALARM ? Level.ALARM : entropyNorm < ENTROPY_WARN ? Level.WARN : Level.OK;
  }

  public static Level cv(double cvPct) {
    return cvPct > CV_ALARM ? Level.ALARM : cvPct > CV_WARN ? Level.WARN : Level.OK;
  }

  public static Level maxVio(double maxVio) {
    return maxVio > MAXVIO_ALARM ? Level.ALARM : maxVio > MAXVIO_WARN ? Level.WARN : Level.OK;
  }

  public static Level dead(int deadExperts) {
    return deadExperts > 0 ? Level.ALARM : Level.OK;
  }
}
