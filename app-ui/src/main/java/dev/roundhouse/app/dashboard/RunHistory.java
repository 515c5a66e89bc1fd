package dev.roundhouse.app.dashboard;

import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Everything the dashboard and compare screens show of one run, accumulated from its events (live
 * from the event bus or replayed from metrics.jsonl). Plain data, no FX; one thread at a time.
 */
public final class RunHistory {
  /** Lifecycle as the events tell it. */
  public enum Status { STARTING, RUNNING, FINISHED, STOPPED, FAILED, UNKNOWN }

  private final List<double[]> loss = new ArrayList<>();
  private final List<double[]> valLoss = new ArrayList<>();
  private final List<double[]> tokensPerS = new ArrayList<>();
  private final List<double[]> lr = new ArrayList<>();
  private final List<RunEvent.ExpertLoad> loads = new ArrayList<>();
  private final List<String> alarms = new ArrayList<>();
  private final TreeSet<String> domains = new TreeSet<>();
  private Status status = Status.STARTING;
  private String runDir = "";
  private long totalSteps;
  private long lastStep;
  private Long peakRssBytes;
  private long lastCheckpoint = -1;
  private Double bestValLoss;
  private String error;

  /** Replays a run directory's metrics.jsonl (empty history if the file is missing). */
  public static RunHistory read(Path runDir) {
    RunHistory h = new RunHistory();
    h.runDir = runDir.toString();
    Path metrics = runDir.resolve(RunDirectory.METRICS_FILE);
    if (Files.isRegularFile(metrics)) {
      MetricsReader.read(metrics).forEach(h::apply);
      if (h.status == Status.RUNNING || h.status == Status.STARTING) {
        h.status = h.lastCheckpoint >= 0 ? Status.STOPPED : Status.UNKNOWN; // no end event: stopped or killed
      }
    } else {
      h.status = Status.UNKNOWN;
    }
    return h;
  }

  /** Folds one event in. */
  public void apply(RunEvent e) {
    lastStep = Math.max(lastStep, e.step());
    if (e instanceof RunEvent.RunStarted s) {
      status = Status.RUNNING;
      runDir = s.runDir();
      totalSteps = s.totalSteps();
    } else if (e instanceof RunEvent.Step s) {
      loss.add(new double[] {s.step(), s.loss()});
      tokensPerS.add(new double[] {s.step(), s.tokensPerS()});
      lr.add(new double[] {s.step(), s.lr()});
      if (s.peakRssBytes() != null) {
        peakRssBytes = s.peakRssBytes();
      }
    } else if (e instanceof RunEvent.Eval v) {
      valLoss.add(new double[] {v.step(), v.valLoss()});
      bestValLoss = bestValLoss == null ? v.valLoss() : Math.min(bestValLoss, v.valLoss());
    } else if (e instanceof RunEvent.ExpertLoad l) {
      loads.add(l);
      for (LayerLoad layer : l.layers()) {
        if (layer.perDomainTokens() != null) {
          domains.addAll(layer.perDomainTokens().keySet());
        }
      }
    } else if (e instanceof RunEvent.Checkpoint c) {
      lastCheckpoint = c.step();
    } else if (e instanceof RunEvent.Alarm a) {
      alarms.add("step " + a.step() + (a.layer() == null ? "" : " layer " + a.layer()) + ": " + a.kind() + " - "
          + a.message());
    } else if (e instanceof RunEvent.RunFinished) {
      status = Status.FINISHED;
    } else if (e instanceof RunEvent.RunFailed f) {
      status = Status.FAILED;
      error = f.error();
    }
  }

  /** Marks a live run that returned after a stop request. */
  public void markStopped() {
    if (status == Status.RUNNING || status == Status.STARTING) {
      status = Status.STOPPED;
    }
  }

  /** The heat map of load window {@code index}; {@code domain} null for all tokens. */
  public Heatmap heatmap(int index, String domain) {
    RunEvent.ExpertLoad l = loads.get(index);
    List<Integer> layers = new ArrayList<>();
    double[][] share = new double[l.layers().size()][];
    for (int i = 0; i < share.length; i++) {
      LayerLoad layer = l.layers().get(i);
      layers.add(layer.layer());
      long[] counts = layer.tokensPerExpert();
      Map<String, long[]> byDomain = layer.perDomainTokens();
      if (domain != null && byDomain != null && byDomain.containsKey(domain)) {
        counts = byDomain.get(domain);
      }
      double total = 0;
      for (long c : counts) {
        total += c;
      }
      share[i] = new double[counts.length];
      for (int e = 0; e < counts.length; e++) {
        share[i][e] = total == 0 ? 0 : counts[e] / total;
      }
    }
    return new Heatmap(l.step(), layers, share, domain);
  }

  /** Router health rows of load window {@code index}, labelled {@code run}. */
  public List<HealthRow> health(int index, String run) {
    List<HealthRow> rows = new ArrayList<>();
    for (LayerLoad l : loads.get(index).layers()) {
      String bias = l.biasMin() == null ? "-" : String.format("%.3g .. %.3g", l.biasMin(), l.biasMax());
      rows.add(new HealthRow(run, l.layer(), l.cvPct(), l.entropyNorm(), l.maxVio(), l.maxLoadFrac(),
          l.deadExperts(), bias, l.droppedTokens()));
    }
    return rows;
  }

  public List<double[]> loss() {
    return loss;
  }

  public List<double[]> valLoss() {
    return valLoss;
  }

  public List<double[]> tokensPerS() {
    return tokensPerS;
  }

  public List<double[]> lr() {
    return lr;
  }

  /** Number of expert-load windows so far. */
  public int loadCount() {
    return loads.size();
  }

  public List<String> alarms() {
    return alarms;
  }

  public List<String> domains() {
    return List.copyOf(domains);
  }

  public Status status() {
    return status;
  }

  public String runDir() {
    return runDir;
  }

  public long totalSteps() {
    return totalSteps;
  }

  /** The training process's peak resident set as last reported (bytes), or null. */
  public Long peakRssBytes() {
    return peakRssBytes;
  }

  public long lastStep() {
    return lastStep;
  }

  /** Lowest validation loss, or null if never evaluated. */
  public Double bestValLoss() {
    return bestValLoss;
  }

  /** The failure message of a failed run, else null. */
  public String error() {
    return error;
  }
}
