package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.StopAt;
import dev.roundhouse.host.run.AtomicFiles;
import dev.roundhouse.host.run.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report of a sweep folder: one {@link TrialSummary} per trial, written as {@code report.json} (the format the
 * desktop app reads, docs/sweeps.md), {@code report.csv}, and {@code plots/<axis>.svg} (best val loss against each
 * axis). Reading only: safe while trials run (their latest state is reported).
 */
public final class SweepReport {
  private final SweepFolder folder;
  private final JsonNode sweep;
  private final List<TrialSummary> rows;

  private SweepReport(SweepFolder folder, JsonNode sweep, List<TrialSummary> rows) {
    this.folder = folder;
    this.sweep = sweep;
    this.rows = rows;
  }

  /** Summarises every trial of the folder. */
  public static SweepReport of(SweepFolder folder) {
    JsonNode sweep = folder.sweep();
    StopAt target = target(sweep);
    List<TrialSummary> rows = new ArrayList<>();
    for (JsonNode t : folder.trials()) {
      rows.add(TrialSummary.of(folder, t, target));
    }
    return new SweepReport(folder, sweep, List.copyOf(rows));
  }

  static StopAt target(JsonNode sweep) {
    JsonNode t = sweep.get("target");
    return t == null ? null : new StopAt(t.path("metric").asText("val_loss"), t.path("atMost").asDouble());
  }

  public List<TrialSummary> rows() {
    return rows;
  }

  /** The axis paths (config fields, plus "seed" when seeds repeat). */
  public List<String> axes() {
    List<String> out = new ArrayList<>();
    sweep.path("axes").forEach(a -> out.add(a.asText()));
    return out;
  }

  /** report.json as a tree. */
  public ObjectNode json() {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("format", 1);
    o.put("sweep", sweep.path("id").asText());
    o.put("generated", Instant.now().toString());
    o.set("axes", sweep.path("axes"));
    if (sweep.has("target")) {
      o.set("target", sweep.get("target"));
    }
    o.put("metric", "best_val_loss");
    o.set("trials", Json.mapper().valueToTree(rows));
    return o;
  }

  /** The CSV: one header line, one line per trial; point values as compact JSON. */
  public String csv() {
    List<String> axes = axes();
    StringBuilder b = new StringBuilder("trial,status");
    axes.forEach(a -> b.append(',').append(csvCell(a)));
    b.append(",steps,final_val_loss,best_val_loss,best_step,target_step,time_to_target_s,tokens_to_target,"
        + "tokens_per_s,worst_cv_pct,min_entropy,dead_experts,alarms,error\n");
    for (TrialSummary r : rows) {
      b.append(r.trial()).append(',').append(r.status());
      for (String a : axes) {
        JsonNode v = r.point().get(a);
        b.append(',').append(v == null ? "" : csvCell(v.isTextual() ? v.asText() : v.toString()));
      }
      Object[] rest = {r.steps(), r.finalValLoss(), r.bestValLoss(), r.bestStep(), r.targetStep(), r.timeToTargetS(),
          r.tokensToTarget(), r.tokensPerS(), r.worstCvPct(), r.minEntropy(), r.deadExperts(), r.alarms()};
      for (Object x : rest) {
        b.append(',').append(x == null ? "" : x instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : x);
      }
      b.append(',').append(r.error() == null ? "" : csvCell(r.error())).append('\n');
    }
    return b.toString();
  }

  /** The console table. */
  public String table() {
    List<String> axes = axes();
    List<List<String>> cells = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("trial", "status"));
    axes.forEach(a -> head.add(shortName(a)));
    head.addAll(List.of("final", "best", "to-target s", "to-target tok", "tok/s", "worst cv%", "min H", "dead"));
    cells.add(head);
    for (TrialSummary r : rows) {
      List<String> c = new ArrayList<>(List.of(r.trial(), r.status()));
      for (String a : axes) {
        JsonNode v = r.point().get(a);
        c.add(v == null ? "" : compact(v));
      }
      c.add(f(r.finalValLoss(), "%.4f"));
      c.add(f(r.bestValLoss(), "%.4f"));
      c.add(f(r.timeToTargetS(), "%.1f"));
      c.add(r.tokensToTarget() == null ? "-" : String.valueOf(r.tokensToTarget()));
      c.add(f(r.tokensPerS(), "%.0f"));
      c.add(f(r.worstCvPct(), "%.1f"));
      c.add(f(r.minEntropy(), "%.3f"));
      c.add(r.deadExperts() == null ? "-" : String.valueOf(r.deadExperts()));
      cells.add(c);
    }
    int[] w = new int[head.size()];
    for (List<String> c : cells) {
      for (int i = 0; i < c.size(); i++) {
        w[i] = Math.max(w[i], c.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (List<String> c : cells) {
      for (int i = 0; i < c.size(); i++) {
        b.append(String.format("%-" + w[i] + "s", c.get(i))).append(i + 1 < c.size() ? "  " : "");
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** Writes report.json, report.csv and plots/*.svg into the sweep folder; returns the files written. */
  public List<Path> write() {
    List<Path> out = new ArrayList<>();
    try {
      Path json = folder.root().resolve("report.json");
      AtomicFiles.writeString(json, Json.pretty(json()));
      out.add(json);
      Path csv = folder.root().resolve("report.csv");
      AtomicFiles.writeString(csv, csv());
      out.add(csv);
      Files.createDirectories(folder.root().resolve("plots"));
      List<String> logAxes = new ArrayList<>();
      sweep.path("logAxes").forEach(a -> logAxes.add(a.asText()));
      for (String axis : axes()) {
        Path svg = folder.root().resolve("plots").resolve(axis.replaceAll("[^A-Za-z0-9._-]", "_") + ".svg");
        AtomicFiles.writeString(svg, SvgPlot.of(axis, rows, logAxes.contains(axis), sweep.path("id").asText()));
        out.add(svg);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(folder.root() + ": cannot write the report: " + e.getMessage(), e);
    }
    return out;
  }

  static String compact(JsonNode v) {
    String s = label(v);
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }

  /** A readable value: a plugin section as {@code type k=v ...} (its type first), others as compact JSON. */
  static String label(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isObject() && v.has("type")) {
      StringBuilder b = new StringBuilder(v.get("type").asText());
      v.fields().forEachRemaining(f -> {
        if (!f.getKey().equals("type")) {
          b.append(' ').append(f.getKey()).append('=').append(f.getValue().isTextual() ? f.getValue().asText()
              : f.getValue().toString());
        }
      });
      return b.toString();
    }
    return v.toString();
  }

  private static String shortName(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }

  private static String f(Double v, String fmt) {
    return v == null ? "-" : String.format(Locale.ROOT, fmt, v);
  }

  private static String csvCell(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
