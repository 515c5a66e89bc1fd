package dev.roundhouse.app.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.metrics.LayerLoad;
import dev.roundhouse.host.metrics.MetricsReader;
import dev.roundhouse.host.metrics.RouterHealth;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the dashboard and compare screens show of one run, accumulated from its events (live
 * from the event bus or replayed from metrics.jsonl). Plain data, no FX; one thread at a time.
 */
public final class RunHistory {
  /** Lifecycle as the events tell it. */
  public enum Status { STARTING, RUNNING, FINISHED, STOPPED, FAILED, UNKNOWN }

  /** Metric names of {@link #metrics()}; per-layer ones are prefixed "layer N ". */
  public static final String GRAD_NORM = "grad_norm";
  public static final String STEP_MS = "step_ms";
  public static final String VAL_BPB = "val_bpb";
  public static final String CV = "cv_pct";
  public static final String ENTROPY = "entropy_norm";
  public static final String MAXVIO = "maxvio";
  public static final String MAX_LOAD = "max_load_frac";
  public static final String DEAD = "dead_experts";
  public static final String BIAS_MIN = "bias_min";
  public static final String BIAS_MAX = "bias_max";

  private final List<double[]> loss = new ArrayList<>();
  private final List<double[]> valLoss = new ArrayList<>();
  private final List<double[]> tokensPerS = new ArrayList<>();
  private final List<double[]> lr = new ArrayList<>();
  private final List<RunEvent.ExpertLoad> loads = new ArrayList<>();
  private final List<String> alarms = new ArrayList<>();
  private final Map<String, AlarmGroup> alarmGroups = new LinkedHashMap<>();
  /** Every logged number over steps by metric name (see {@link #metrics()}); points are {step, value}. */
  private final Map<String, List<double[]>> metrics = new TreeMap<>();
  /** {step, seconds since the first event, tokens so far} per step event, for other x axes. */
  private final List<double[]> clock = new ArrayList<>();
  private java.time.Instant firstTime;
  private double tokensSoFar;
  private JsonNode config;
  private HealthThresholds thresholds = HealthThresholds.of(null);
  private final TreeSet<String> domains = new TreeSet<>();
  private Status status = Status.STARTING;
  private String runDir = "";
  private long totalSteps;
  private long lastStep;
  private Long peakRssBytes;
  private long lastCheckpoint = -1;
  private Double bestValLoss;
  private String error;
  private long offset;

  /** Replays a run directory's metrics.jsonl (empty history if the file is missing). */
  public static RunHistory read(Path runDir) {
    RunHistory h = readLive(runDir);
    h.settle();
    return h;
  }

  /**
   * Replays the complete lines of a run directory's metrics.jsonl without deciding how an unfinished run
   * ended (another process may still be writing it); {@link #offset()} is where to continue reading.
   */
  public static RunHistory readLive(Path runDir) {
    RunHistory h = new RunHistory();
    h.runDir = runDir.toString();
    Path metrics = runDir.resolve(RunDirectory.METRICS_FILE);
    Path cfg = runDir.resolve(RunDirectory.CONFIG_FILE);
    if (Files.isRegularFile(cfg)) {
      try {
        h.useConfig(Json.read(cfg));
      } catch (RuntimeException e) {
        // an unreadable config: default thresholds; the run's own events still show
      }
    }
    if (Files.isRegularFile(metrics)) {
      MetricsReader.Chunk c = MetricsReader.readFrom(metrics, 0);
      c.events().forEach(h::apply);
      h.offset = c.nextOffset();
    } else {
      h.status = Status.UNKNOWN;
    }
    return h;
  }

  /** A run nobody writes any more that has no end event: stopped if it wrote a checkpoint, else unknown. */
  public void settle() {
    if (status == Status.RUNNING || status == Status.STARTING) {
      status = lastCheckpoint >= 0 ? Status.STOPPED : Status.UNKNOWN; // no end event: stopped or killed
    }
  }

  /** Marks a run another process is writing as running (it may not have logged its start yet). */
  public void markLive() {
    if (status == Status.STARTING || status == Status.UNKNOWN) {
      status = Status.RUNNING;
    }
  }

  /** True after a run_finished or run_failed event. */
  public boolean ended() {
    return status == Status.FINISHED || status == Status.FAILED;
  }

  /** Byte offset in metrics.jsonl after the last complete line read by {@link #readLive}. */
  public long offset() {
    return offset;
  }

  /** Folds one event in. */
  public void apply(RunEvent e) {
    lastStep = Math.max(lastStep, e.step());
    if (firstTime == null && e.time() != null) {
      firstTime = e.time();
    }
    if (e instanceof RunEvent.RunStarted s) {
      status = Status.RUNNING;
      runDir = s.runDir();
      totalSteps = s.totalSteps();
      if (s.config() != null && !s.config().isNull()) {
        useConfig(s.config());
      }
    } else if (e instanceof RunEvent.Step s) {
      loss.add(new double[] {s.step(), s.loss()});
      tokensPerS.add(new double[] {s.step(), s.tokensPerS()});
      lr.add(new double[] {s.step(), s.lr()});
      put(GRAD_NORM, s.step(), s.gradNorm());
      put(STEP_MS, s.step(), s.stepMs());
      s.auxLosses().forEach((k, v) -> put("aux " + k, s.step(), v));
      tokensSoFar += s.tokensPerS() * s.stepMs() / 1000.0;
      double wall = firstTime == null || s.time() == null ? 0
          : java.time.Duration.between(firstTime, s.time()).toMillis() / 1000.0;
      clock.add(new double[] {s.step(), wall, tokensSoFar});
      if (s.peakRssBytes() != null) {
        peakRssBytes = s.peakRssBytes();
      }
    } else if (e instanceof RunEvent.Eval v) {
      valLoss.add(new double[] {v.step(), v.valLoss()});
      put(VAL_BPB, v.step(), v.valBpb());
      bestValLoss = bestValLoss == null ? v.valLoss() : Math.min(bestValLoss, v.valLoss());
    } else if (e instanceof RunEvent.ExpertLoad l) {
      loads.add(l);
      for (LayerLoad layer : l.layers()) {
        if (layer.perDomainTokens() != null) {
          domains.addAll(layer.perDomainTokens().keySet());
        }
        String p = "layer " + layer.layer() + " ";
        put(p + CV, l.step(), layer.cvPct());
        put(p + ENTROPY, l.step(), layer.entropyNorm());
        put(p + MAXVIO, l.step(), layer.maxVio());
        put(p + MAX_LOAD, l.step(), layer.maxLoadFrac());
        put(p + DEAD, l.step(), layer.deadExperts());
        if (layer.biasMin() != null) {
          put(p + BIAS_MIN, l.step(), layer.biasMin());
          put(p + BIAS_MAX, l.step(), layer.biasMax());
        }
        if (layer.routerLosses() != null) {
          layer.routerLosses().forEach((k, v) -> put(p + "router " + k, l.step(), v));
        }
      }
    } else if (e instanceof RunEvent.Checkpoint c) {
      lastCheckpoint = c.step();
    } else if (e instanceof RunEvent.Alarm a) {
      alarms.add("step " + a.step() + (a.layer() == null ? "" : " layer " + a.layer()) + ": " + a.kind() + " - "
          + a.message());
      String key = a.kind() + "@" + a.layer();
      AlarmGroup g = alarmGroups.get(key);
      alarmGroups.put(key, g == null ? new AlarmGroup(a.kind(), a.layer(), 1, a.step(), a.step(), a.message())
          : g.plus(a.step(), a.message()));
    } else if (e instanceof RunEvent.RunFinished) {
      status = Status.FINISHED;
    } else if (e instanceof RunEvent.RunFailed f) {
      status = Status.FAILED;
      error = f.error();
    }
  }

  private void put(String metric, long step, double value) {
    metrics.computeIfAbsent(metric, k -> new ArrayList<>()).add(new double[] {step, value});
  }

  private void useConfig(JsonNode cfg) {
    config = cfg;
    thresholds = HealthThresholds.of(cfg);
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
    return health(index, run, null);
  }

  /**
   * Router health rows of load window {@code index} over the tokens of {@code domain} (null: all tokens;
   * the statistics are recomputed from that domain's counts), labelled {@code run}.
   */
  public List<HealthRow> health(int index, String run, String domain) {
    List<HealthRow> rows = new ArrayList<>();
    for (LayerLoad l : loads.get(index).layers()) {
      String bias = l.biasMin() == null ? "-" : String.format("%.3g .. %.3g", l.biasMin(), l.biasMax());
      Map<String, long[]> byDomain = l.perDomainTokens();
      if (domain != null && byDomain != null && byDomain.containsKey(domain)) {
        RouterHealth h = RouterHealth.compute(byDomain.get(domain));
        rows.add(new HealthRow(run, l.layer(), h.cvPct(), h.entropyNorm(), h.maxVio(), h.maxLoadFrac(),
            h.deadExperts(), bias, l.droppedTokens(), thresholds));
      } else {
        rows.add(new HealthRow(run, l.layer(), l.cvPct(), l.entropyNorm(), l.maxVio(), l.maxLoadFrac(),
            l.deadExperts(), bias, l.droppedTokens(), thresholds));
      }
    }
    return rows;
  }

  /**
   * Router health metric {@code metric} ({@link #CV}, {@link #ENTROPY}, {@link #MAXVIO}, {@link #MAX_LOAD},
   * {@link #DEAD}; the bias range and router losses are not per domain) of MoE layer {@code layer} per load
   * window, recomputed from the counts of {@code domain}'s tokens; windows without that domain are left out.
   */
  public List<double[]> healthOverTime(int layer, String metric, String domain) {
    List<double[]> out = new ArrayList<>();
    for (RunEvent.ExpertLoad w : loads) {
      for (LayerLoad l : w.layers()) {
        Map<String, long[]> byDomain = l.perDomainTokens();
        if (l.layer() != layer || byDomain == null || !byDomain.containsKey(domain)) {
          continue;
        }
        RouterHealth h = RouterHealth.compute(byDomain.get(domain));
        Double v = switch (metric) {
          case CV -> h.cvPct();
          case ENTROPY -> h.entropyNorm();
          case MAXVIO -> h.maxVio();
          case MAX_LOAD -> h.maxLoadFrac();
          case DEAD -> (double) h.deadExperts();
          default -> null;
        };
        if (v != null) {
          out.add(new double[] {w.step(), v});
        }
      }
    }
    return out;
  }

  /** The MoE layers of the load windows, in order. */
  public List<Integer> layers() {
    return loads.isEmpty() ? List.of() : loads.get(loads.size() - 1).layers().stream().map(LayerLoad::layer).toList();
  }

  /**
   * Expert x time load of one layer: per load window, tokens per expert divided by the window's mean
   * (1 = the uniform share 1/E); {@code domain} null for all tokens.
   */
  public ExpertTimeline timeline(int layer, String domain) {
    List<Long> steps = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    for (RunEvent.ExpertLoad w : loads) {
      for (LayerLoad l : w.layers()) {
        if (l.layer() != layer) {
          continue;
        }
        long[] counts = l.tokensPerExpert();
        if (domain != null && l.perDomainTokens() != null && l.perDomainTokens().containsKey(domain)) {
          counts = l.perDomainTokens().get(domain);
        }
        double total = 0;
        for (long c : counts) {
          total += c;
        }
        double mean = total / counts.length;
        double[] rel = new double[counts.length];
        for (int e = 0; e < counts.length; e++) {
          rel[e] = mean == 0 ? 0 : counts[e] / mean;
        }
        steps.add(w.step());
        rows.add(rel);
      }
    }
    return new ExpertTimeline(layer, steps, rows, domain);
  }

  /** Index of the last load window at or before {@code step} (0 when none is). */
  public int loadIndexAt(long step) {
    int best = 0;
    for (int i = 0; i < loads.size(); i++) {
      if (loads.get(i).step() <= step) {
        best = i;
      }
    }
    return best;
  }

  /** Step of load window {@code index}. */
  public long loadStep(int index) {
    return loads.get(index).step();
  }

  /**
   * Every number the run logged, by name: "loss" (train), "val_loss", {@value #VAL_BPB}, "tokens_per_s",
   * "lr", {@value #GRAD_NORM}, {@value #STEP_MS}, "aux NAME" (step aux losses), and per MoE layer
   * "layer N cv_pct", "... entropy_norm", "... maxvio", "... max_load_frac", "... dead_experts",
   * "... bias_min", "... bias_max", "... router NAME". Names not listed here (a newer host) are kept too.
   */
  public Map<String, List<double[]>> metrics() {
    Map<String, List<double[]>> all = new TreeMap<>(metrics);
    all.put("loss", loss);
    all.put("val_loss", valLoss);
    all.put("tokens_per_s", tokensPerS);
    all.put("lr", lr);
    return all;
  }

  /** {step, wall seconds since the run's first event, tokens trained so far} per logged step. */
  public List<double[]> clock() {
    return clock;
  }

  /** The run's alarm thresholds (its config's train.alarms, else the defaults). */
  public HealthThresholds thresholds() {
    return thresholds;
  }

  /** The run's resolved config, or null when unknown. */
  public JsonNode config() {
    return config;
  }

  /** Alarms folded by kind and layer, the most recent first. */
  public List<AlarmGroup> alarmGroups() {
    List<AlarmGroup> g = new ArrayList<>(alarmGroups.values());
    g.sort(java.util.Comparator.comparingLong(AlarmGroup::lastStep).reversed());
    return g;
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
