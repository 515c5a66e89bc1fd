package dev.roundhouse.host.metrics;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One thing that happened in a training run: a line of metrics.jsonl and a message on the {@link EventBus}.
 * JSON: {@code "event"} (the type name below) first, then snake_case fields sorted by name; every event has
 * {@code "time"} (ISO-8601 UTC) and {@code "step"}; null fields are omitted. docs/metrics.md lists every field.
 * Each record has a constructor without {@code time} that stamps the current time (millisecond precision).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "event")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunEvent.RunStarted.class, name = "run_started"),
    @JsonSubTypes.Type(value = RunEvent.Step.class, name = "step"),
    @JsonSubTypes.Type(value = RunEvent.Eval.class, name = "eval"),
    @JsonSubTypes.Type(value = RunEvent.Data.class, name = "data"),
    @JsonSubTypes.Type(value = RunEvent.ExpertLoad.class, name = "expert_load"),
    @JsonSubTypes.Type(value = RunEvent.Checkpoint.class, name = "checkpoint"),
    @JsonSubTypes.Type(value = RunEvent.Alarm.class, name = "alarm"),
    @JsonSubTypes.Type(value = RunEvent.TargetReached.class, name = "target_reached"),
    @JsonSubTypes.Type(value = RunEvent.RunFinished.class, name = "run_finished"),
    @JsonSubTypes.Type(value = RunEvent.RunFailed.class, name = "run_failed")})
public sealed interface RunEvent {
  /** When the event was created. */
  Instant time();

  /** The training step it refers to (optimizer steps completed; for run_started the step the run starts from). */
  long step();

  /** The JSON type name, e.g. {@code "expert_load"}. */
  @JsonIgnore
  default String eventName() {
    for (JsonSubTypes.Type t : RunEvent.class.getAnnotation(JsonSubTypes.class).value()) {
      if (t.value() == getClass()) {
        return t.name();
      }
    }
    throw new IllegalStateException("unregistered event type " + getClass());
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  /** A run starts (fresh: step 0; resumed: the checkpoint step). {@code config}/{@code provenance} may be null. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record RunStarted(Instant time, long step, String runDir, long totalSteps, JsonNode config, JsonNode provenance)
      implements RunEvent {
    public RunStarted(long step, String runDir, long totalSteps, JsonNode config, JsonNode provenance) {
      this(now(), step, runDir, totalSteps, config, provenance);
    }
  }

  /**
   * One optimizer step done. {@code loss}: mean LM cross-entropy (nats/token) over the step's tokens, without aux
   * losses; {@code auxLosses}: name to value as added to the loss (already times its coefficient); {@code lr}: the
   * base learning rate used; {@code gradNorm}: global L2 norm before clipping; {@code tokensPerS}, {@code stepMs}:
   * throughput and wall time of the step; {@code peakRssBytes}: the process's peak resident set so far (Linux
   * VmHWM), null where unknown or in files written before it was recorded.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Step(Instant time, long step, double loss, Map<String, Double> auxLosses, double lr, double gradNorm,
      double tokensPerS, double stepMs, Long peakRssBytes) implements RunEvent {
    public Step {
      auxLosses = auxLosses == null ? Map.of() : new TreeMap<>(auxLosses);
    }

    public Step(Instant time, long step, double loss, Map<String, Double> auxLosses, double lr, double gradNorm,
        double tokensPerS, double stepMs) {
      this(time, step, loss, auxLosses, lr, gradNorm, tokensPerS, stepMs, null);
    }

    public Step(long step, double loss, Map<String, Double> auxLosses, double lr, double gradNorm,
        double tokensPerS, double stepMs) {
      this(now(), step, loss, auxLosses, lr, gradNorm, tokensPerS, stepMs, null);
    }

    public Step(long step, double loss, Map<String, Double> auxLosses, double lr, double gradNorm,
        double tokensPerS, double stepMs, Long peakRssBytes) {
      this(now(), step, loss, auxLosses, lr, gradNorm, tokensPerS, stepMs, peakRssBytes);
    }
  }

  /** Validation after {@code step}: mean loss in nats per token and bits per byte. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Eval(Instant time, long step, double valLoss, double valBpb) implements RunEvent {
    public Eval(long step, double valLoss, double valBpb) {
      this(now(), step, valLoss, valBpb);
    }
  }

  /**
   * Per-source accounting of a run on a prepared dataset, after each eval: passes made over each
   * source's train tokens, and each source's validation loss (nats/token) and bits per byte.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Data(Instant time, long step, Map<String, Double> epochs, Map<String, Double> valLoss,
      Map<String, Double> valBpb) implements RunEvent {
    public Data(long step, Map<String, Double> epochs, Map<String, Double> valLoss, Map<String, Double> valBpb) {
      this(now(), step, epochs, valLoss, valBpb);
    }
  }

  /** Router health of every MoE layer over the window ending at {@code step}. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ExpertLoad(Instant time, long step, List<LayerLoad> layers) implements RunEvent {
    public ExpertLoad {
      layers = layers == null ? List.of() : List.copyOf(layers);
    }

    public ExpertLoad(long step, List<LayerLoad> layers) {
      this(now(), step, layers);
    }
  }

  /** A checkpoint of {@code step} was written to {@code path}. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Checkpoint(Instant time, long step, String path) implements RunEvent {
    public Checkpoint(long step, String path) {
      this(now(), step, path);
    }
  }

  /** Something looks wrong. {@code layer} is null when not layer-specific; {@code kind} e.g. {@link #DEAD_EXPERTS}. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Alarm(Instant time, long step, Integer layer, String kind, String message) implements RunEvent {
    /** Experts that received no tokens in the window. */
    public static final String DEAD_EXPERTS = "dead_experts";
    /** Normalised routing entropy fell below the alarm threshold. */
    public static final String ENTROPY_COLLAPSE = "entropy_collapse";
    /** Loss or gradient norm is NaN or infinite. */
    public static final String NON_FINITE = "non_finite";
    /** Loss jumped far above its recent average. */
    public static final String LOSS_SPIKE = "loss_spike";

    public Alarm(long step, Integer layer, String kind, String message) {
      this(now(), step, layer, kind, message);
    }
  }

  /**
   * The evaluation after {@code step} reached {@code train.stopAt}: {@code metric} was {@code value} {@code <=
   * threshold}; {@code trainSeconds}: training wall time to here (summed over resumes, evaluations included);
   * {@code tokens}: training tokens consumed (step x tokens per step). The run then ends.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record TargetReached(Instant time, long step, String metric, double value, double threshold,
      @JsonProperty("train_s") double trainSeconds, long tokens) implements RunEvent {
    public TargetReached(long step, String metric, double value, double threshold, double trainSeconds, long tokens) {
      this(now(), step, metric, value, threshold, trainSeconds, tokens);
    }
  }

  /** The run completed {@code step} steps in {@code wallSeconds}; {@code finalValLoss} null if never evaluated. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record RunFinished(Instant time, long step, @JsonProperty("wall_s") double wallSeconds, Double finalValLoss)
      implements RunEvent {
    public RunFinished(long step, double wallSeconds, Double finalValLoss) {
      this(now(), step, wallSeconds, finalValLoss);
    }
  }

  /** The run stopped with an error at {@code step}: its message and exception class name. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record RunFailed(Instant time, long step, String error, String errorType) implements RunEvent {
    public RunFailed(long step, String error, String errorType) {
      this(now(), step, error, errorType);
    }

    /** A failure event for {@code error}. */
    public static RunFailed of(long step, Throwable error) {
      return new RunFailed(step, String.valueOf(error.getMessage()), error.getClass().getName());
    }
  }
}
