package dev.roundhouse.app.dashboard;

import java.util.ArrayList;
import java.util.List;

/** Plain-data transforms of {step, value} series for the charts: x axis, smoothing, thinning. */
public final class SeriesMath {
  /** What the x axis counts. */
  public enum XMode { STEPS, TOKENS, WALL_TIME }

  private SeriesMath() {}

  /**
   * Exponential moving average with weight {@code alpha} on the past (0 = none), debiased at the start
   * (as TensorBoard does) so the first points are not pulled towards 0.
   */
  public static List<double[]> smooth(List<double[]> pts, double alpha) {
    if (alpha <= 0 || pts.size() < 2) {
      return pts;
    }
    List<double[]> out = new ArrayList<>(pts.size());
    double acc = 0;
    double weight = 0;
    for (double[] p : pts) {
      if (!Double.isFinite(p[1])) {
        out.add(p);
        continue;
      }
      acc = alpha * acc + (1 - alpha) * p[1];
      weight = alpha * weight + (1 - alpha);
      out.add(new double[] {p[0], acc / weight});
    }
    return out;
  }

  /** At most about {@code max} points: every n-th, always keeping the last. */
  public static List<double[]> thin(List<double[]> pts, int max) {
    if (pts.size() <= max) {
      return pts;
    }
    int stride = (pts.size() + max - 1) / max;
    List<double[]> out = new ArrayList<>(max + 1);
    for (int i = 0; i < pts.size(); i += stride) {
      out.add(pts.get(i));
    }
    if (out.get(out.size() - 1) != pts.get(pts.size() - 1)) {
      out.add(pts.get(pts.size() - 1));
    }
    return out;
  }

  /**
   * Maps each point's step to the x of {@code mode}, through {@code clock} ({step, wall s, tokens} per
   * logged step; interpolated between, held at the ends).
   */
  public static List<double[]> toX(List<double[]> pts, List<double[]> clock, XMode mode) {
    if (mode == XMode.STEPS || clock.isEmpty()) {
      return pts;
    }
    int col = mode == XMode.WALL_TIME ? 1 : 2;
    List<double[]> out = new ArrayList<>(pts.size());
    for (double[] p : pts) {
      out.add(new double[] {at(clock, p[0], col), p[1]});
    }
    return out;
  }

  /** Column {@code col} of {@code clock} at {@code step}, linearly interpolated. */
  static double at(List<double[]> clock, double step, int col) {
    int lo = 0;
    int hi = clock.size() - 1;
    if (step <= clock.get(lo)[0]) {
      return clock.get(lo)[col] * (clock.get(lo)[0] == 0 ? 1 : step / clock.get(lo)[0]);
    }
    if (step >= clock.get(hi)[0]) {
      return clock.get(hi)[col];
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (clock.get(mid)[0] <= step) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double[] a = clock.get(lo);
    double[] b = clock.get(hi);
    double t = (step - a[0]) / (b[0] - a[0]);
    return a[col] + t * (b[col] - a[col]);
  }

  /** Values at or below 0 dropped (a log axis cannot show them); values replaced by log10. */
  public static List<double[]> log10(List<double[]> pts) {
    List<double[]> out = new ArrayList<>(pts.size());
    for (double[] p : pts) {
      if (p[1] > 0) {
        out.add(new double[] {p[0], Math.log10(p[1])});
      }
    }
    return out;
  }
}
