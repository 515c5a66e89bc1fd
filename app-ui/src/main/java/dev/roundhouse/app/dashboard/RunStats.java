package dev.roundhouse.app.dashboard;

import java.util.List;

/** The dashboard header's one line about a run: step, loss, best val, tokens/s, LR, elapsed, ETA, peak RSS. */
final class RunStats {
  private RunStats() {}

  /** "step 12 / 40   loss 2.3100   best val 2.4000   tokens/s 950   lr 0.001   elapsed 1m05s   ETA 2m10s". */
  static String line(RunHistory h) {
    String last = h.loss().isEmpty() ? "-" : String.format("%.4f", lastY(h.loss()));
    String val = h.bestValLoss() == null ? "-" : String.format("%.4f", h.bestValLoss());
    String tps = h.tokensPerS().isEmpty() ? "-" : String.format("%.0f", lastY(h.tokensPerS()));
    String rate = h.lr().isEmpty() ? "-" : String.format("%.3g", lastY(h.lr()));
    return "step " + h.lastStep() + (h.totalSteps() > 0 ? " / " + h.totalSteps() : "")
        + "   loss " + last + "   best val " + val + "   tokens/s " + tps + "   lr " + rate + timing(h)
        + (h.peakRssBytes() == null ? "" : String.format("   peak RSS %.2f GB", h.peakRssBytes() / 1e9));
  }

  /** "   elapsed 1m05s   ETA 2m10s" from the logged steps' times; ETA only while the run goes on. */
  private static String timing(RunHistory h) {
    List<double[]> c = h.clock();
    if (c.size() < 2) {
      return "";
    }
    double[] first = c.get(0);
    double[] last = c.get(c.size() - 1);
    String out = "   elapsed " + duration(last[1]);
    boolean going = h.status() == RunHistory.Status.RUNNING || h.status() == RunHistory.Status.STARTING;
    if (going && h.totalSteps() > last[0] && last[0] > first[0]) {
      double perStep = (last[1] - first[1]) / (last[0] - first[0]);
      out += "   ETA " + duration(perStep * (h.totalSteps() - last[0]));
    }
    return out;
  }

  /** 45s, 1m05s, 2h03m. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }

  private static double lastY(List<double[]> pts) {
    return pts.get(pts.size() - 1)[1];
  }
}
