package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG scatter plot of the best validation loss against one sweep axis: numeric axes on a linear (or, for
 * log-uniform axes and ranges over two decades, logarithmic) scale, other values as evenly spaced categories with
 * their mean marked. Trials without an evaluation are left out. Self-contained SVG 1.1, no scripts.
 */
public final class SvgPlot {
  private static final int W = 640;
  private static final int H = 400;
  private static final int L = 70;
  private static final int R = 20;
  private static final int T = 40;
  private static final int B = 90;

  private SvgPlot() {}

  public static String of(String axis, List<TrialSummary> rows, boolean logHint, String title) {
    List<JsonNode> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (TrialSummary r : rows) {
      JsonNode v = r.point().get(axis);
      if (v != null && r.bestValLoss() != null) {
        xs.add(v);
        ys.add(r.bestValLoss());
      }
    }
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(text(W / 2.0, 22, "middle", esc(title + ": best val_loss vs " + axis), 14));
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#888\"/>\n", L, T, W - L - R, H - T - B));
    if (ys.isEmpty()) {
      s.append(text(W / 2.0, H / 2.0, "middle", "no evaluated trials yet", 12));
      return s.append("</svg>\n").toString();
    }
    double yLo = ys.stream().mapToDouble(d -> d).min().getAsDouble();
    double yHi = ys.stream().mapToDouble(d -> d).max().getAsDouble();
    double pad = Math.max(1e-3, (yHi - yLo) * 0.1);
    yLo -= pad;
    yHi += pad;
    boolean numeric = xs.stream().allMatch(JsonNode::isNumber);
    List<Double> px = new ArrayList<>();
    if (numeric) {
      double lo = xs.stream().mapToDouble(JsonNode::asDouble).min().getAsDouble();
      double hi = xs.stream().mapToDouble(JsonNode::asDouble).max().getAsDouble();
      boolean log = lo > 0 && (logHint || hi / lo > 100);
      double a = log ? Math.log10(lo) : lo;
      double b = log ? Math.log10(hi) : hi;
      if (a == b) {
        a -= 1;
        b += 1;
      }
      for (JsonNode x : xs) {
        double v = log ? Math.log10(x.asDouble()) : x.asDouble();
        px.add(L + 15 + (v - a) / (b - a) * (W - L - R - 30));
      }
      for (int i = 0; i <= 4; i++) {
        double v = a + (b - a) * i / 4;
        double x = L + 15 + (W - L - R - 30) * i / 4.0;
        s.append(text(x, H - B + 16, "middle", fmt(log ? Math.pow(10, v) : v), 11));
      }
      s.append(text(W / 2.0, H - B + 36, "middle", esc(axis + (log ? " (log scale)" : "")), 12));
    } else {
      Map<String, List<Double>> cats = new LinkedHashMap<>();
      for (int i = 0; i < xs.size(); i++) {
        cats.computeIfAbsent(SweepReport.label(xs.get(i)), k -> new ArrayList<>()).add(ys.get(i));
      }
      List<String> keys = new ArrayList<>(cats.keySet());
      double step = (W - L - R) / (double) keys.size();
      for (JsonNode x : xs) {
        px.add(L + step * (keys.indexOf(SweepReport.label(x)) + 0.5));
      }
      for (int k = 0; k < keys.size(); k++) {
        double cx = L + step * (k + 0.5);
        double mean = cats.get(keys.get(k)).stream().mapToDouble(d -> d).average().getAsDouble();
        double cy = yPix(mean, yLo, yHi);
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" "
            + "stroke-width=\"2\"/>\n", cx - 14, cx + 14, cy, cy));
        String label = keys.get(k).length() > 40 ? keys.get(k).substring(0, 37) + "..." : keys.get(k);
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" font-size=\"10\" "
            + "transform=\"rotate(-20 %.1f %d)\">%s</text>\n", cx, H - B + 16, cx, H - B + 16, esc(label)));
      }
      s.append(text(W / 2.0, H - 8, "middle", esc(axis + " (red: mean)"), 12));
    }
    for (int i = 0; i <= 4; i++) {
      double v = yLo + (yHi - yLo) * i / 4;
      s.append(text(L - 6, yPix(v, yLo, yHi) + 4, "end", fmt(v), 11));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
        + "%.1f)\">best val_loss (nats/token)</text>\n", (T + H - B) / 2.0, (T + H - B) / 2.0));
    for (int i = 0; i < ys.size(); i++) {
      s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\" "
          + "fill-opacity=\"0.8\"/>\n", px.get(i), yPix(ys.get(i), yLo, yHi)));
    }
    return s.append("</svg>\n").toString();
  }

  private static double yPix(double v, double lo, double hi) {
    return H - B - (v - lo) / (hi - lo) * (H - T - B);
  }

  private static String text(double x, double y, String anchor, String body, int size) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>\n",
        x, y, anchor, size, body);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? "%.4g" : "%.2e", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
