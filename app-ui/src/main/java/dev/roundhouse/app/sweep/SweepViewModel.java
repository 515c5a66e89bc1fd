package dev.roundhouse.app.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.app.compare.CompareViewModel;
import dev.roundhouse.app.runs.RunSummary;
import dev.roundhouse.host.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Sweep screen: opens a sweep folder (docs/sweeps.md) and shows its report, the table of {@code roundhouse sweep
 * report}, read from the {@code report.json} that command writes (files only: no trial lock is touched, so a running
 * sweep is never disturbed). Selected trials go to the Compare screen as ordinary run directories.
 *
 * <p>Threads: {@link #open} reads on a background thread and applies the rows through the {@link UiExecutor}; the
 * other methods are called on the UI thread.
 */
public final class SweepViewModel implements AutoCloseable {
  private final CompareViewModel compare;
  private final Runnable showCompare;
  private final UiExecutor ui;
  private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "roundhouse-sweep-read");
    t.setDaemon(true);
    return t;
  });
  private final ObservableList<SweepRow> rows = FXCollections.observableArrayList();
  private final ObjectProperty<Path> folder = new SimpleObjectProperty<>();
  private final StringProperty message = new SimpleStringProperty("Open a sweep folder (runs/<sweep>)");

  /** {@code showCompare}: switches the app to the Compare screen after {@link #compareSelected}. */
  public SweepViewModel(CompareViewModel compare, Runnable showCompare, UiExecutor ui) {
    this.compare = compare;
    this.showCompare = showCompare;
    this.ui = ui;
  }

  public ObservableList<SweepRow> rows() {
    return rows;
  }

  public ObjectProperty<Path> folderProperty() {
    return folder;
  }

  public StringProperty messageProperty() {
    return message;
  }

  /** Reads {@code dir}'s report off the UI thread; the future completes after the rows (or the error) are applied. */
  public CompletableFuture<Void> open(Path dir) {
    message.set("Reading " + dir + " ...");
    return CompletableFuture.supplyAsync(() -> {
      try {
        return read(dir);
      } catch (RuntimeException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }, reader).handle((read, err) -> {
      CompletableFuture<Void> applied = new CompletableFuture<>();
      ui.execute(() -> {
        folder.set(dir);
        if (err != null) {
          rows.clear();
          Throwable cause = err.getCause() != null ? err.getCause() : err;
          message.set(cause.getMessage());
        } else {
          rows.setAll(read);
          message.set(dir.getFileName() + ": " + read.size() + " trial(s) from report.json");
        }
        applied.complete(null);
      });
      return applied;
    }).thenCompose(f -> f);
  }

  /** Re-reads the open folder (after another {@code roundhouse sweep report}). */
  public CompletableFuture<Void> reload() {
    return folder.get() == null ? CompletableFuture.completedFuture(null) : open(folder.get());
  }

  /** Compares the chosen trials' run directories on the Compare screen and shows it. */
  public void compareSelected(List<SweepRow> chosen) {
    if (chosen.isEmpty()) {
      message.set("Select one or more trials to compare");
      return;
    }
    List<RunSummary> runs = new ArrayList<>();
    for (SweepRow r : chosen) {
      runs.add(new RunSummary(r.trial(), r.dir(), r.status(), r.steps() == null ? 0 : r.steps(), 0,
          r.bestValLoss(), ""));
    }
    compare.compare(runs);
    showCompare.run();
  }

  /** The report rows of sweep folder {@code dir}; a one-line error naming the file when it is not readable. */
  static List<SweepRow> read(Path dir) {
    if (!Files.isRegularFile(dir.resolve("sweep.json"))) {
      throw new IllegalArgumentException(dir + ": not a sweep folder (no sweep.json)");
    }
    Path report = dir.resolve("report.json");
    if (!Files.isRegularFile(report)) {
      throw new IllegalArgumentException(dir + ": no report.json yet; run `roundhouse sweep report " + dir + "`");
    }
    JsonNode root;
    try {
      root = Json.read(report);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(report + ": unreadable: " + e.getMessage(), e);
    }
    JsonNode trials = root.get("trials");
    if (trials == null || !trials.isArray()) {
      throw new IllegalArgumentException(report + ": trials: missing or not a list");
    }
    List<SweepRow> out = new ArrayList<>();
    for (JsonNode t : trials) {
      String id = t.path("trial").asText();
      out.add(new SweepRow(id, t.path("index").asInt(), dir.resolve(t.path("dir").asText(id)),
          t.path("status").asText("unknown"), parameters(t.path("point")), lng(t, "steps"),
          dbl(t, "final_val_loss"), dbl(t, "best_val_loss"), dbl(t, "time_to_target_s"),
          lng(t, "tokens_to_target"), dbl(t, "tokens_per_s"), dbl(t, "worst_cv_pct"), dbl(t, "min_entropy"),
          t.hasNonNull("dead_experts") ? t.get("dead_experts").asInt() : null,
          t.hasNonNull("error") ? t.get("error").asText() : null));
    }
    return out;
  }

  /** "router=softmax-topk, seed=1": each axis by its last path segment, plugin sections as "type k=v". */
  static String parameters(JsonNode point) {
    List<String> parts = new ArrayList<>();
    point.fields().forEachRemaining(f -> {
      String name = f.getKey().substring(f.getKey().lastIndexOf('.') + 1);
      parts.add(name + "=" + label(f.getValue()));
    });
    return String.join(", ", parts);
  }

  private static String label(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isObject() && v.has("type")) {
      StringBuilder b = new StringBuilder(v.get("type").asText());
      v.fields().forEachRemaining(f -> {
        if (!f.getKey().equals("type")) {
          b.append(' ').append(f.getKey()).append('=')
              .append(f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
        }
      });
      return b.toString();
    }
    return v.toString();
  }

  private static Double dbl(JsonNode t, String field) {
    return t.hasNonNull(field) ? t.get(field).asDouble() : null;
  }

  private static Long lng(JsonNode t, String field) {
    return t.hasNonNull(field) ? t.get(field).asLong() : null;
  }

  @Override
  public void close() {
    reader.shutdownNow();
  }
}
