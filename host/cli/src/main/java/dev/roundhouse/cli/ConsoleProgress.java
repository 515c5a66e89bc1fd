package dev.roundhouse.cli;

import dev.roundhouse.host.metrics.RunEvent;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Prints run events: on a terminal a single updating progress line (step, loss, tokens/s, ETA)
 * with eval results, alarms and checkpoints on lines of their own; otherwise one plain log line
 * per event. Called on the training thread.
 */
final class ConsoleProgress implements Consumer<RunEvent> {
  private final PrintStream out;
  private final boolean terminal;
  private long totalSteps;
  private long startStep;
  private long startNanos;
  private boolean lineOpen;

  ConsoleProgress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public synchronized void accept(RunEvent e) {
    if (e instanceof RunEvent.RunStarted s) {
      totalSteps = s.totalSteps();
      startStep = s.step();
      startNanos = System.nanoTime();
      println("run directory: " + s.runDir() + (s.step() > 0 ? " (resuming after step " + s.step() + ")" : ""));
    } else if (e instanceof RunEvent.Step s) {
      String text = String.format(Locale.ROOT, "step %d/%d  loss %.4f%s  lr %.2e  %.0f tok/s  %.0f ms/step%s  ETA %s",
          s.step(), totalSteps, s.loss(), aux(s), s.lr(), s.tokensPerS(), s.stepMs(),
          s.peakRssBytes() == null ? "" : String.format(Locale.ROOT, "  peak %.2f GB", s.peakRssBytes() / 1e9),
          eta(s.step()));
      if (terminal) {
        out.print("\r" + bar(s.step()) + " " + text + "\u001b[K");
        out.flush();
        lineOpen = true;
      } else {
        out.println(text);
      }
    } else if (e instanceof RunEvent.Eval v) {
      println(String.format(Locale.ROOT, "eval  step %d  val_loss %.4f  val_bpb %.4f", v.step(), v.valLoss(), v.valBpb()));
    } else if (e instanceof RunEvent.Alarm a) {
      println("ALARM " + a.kind() + (a.layer() == null ? "" : " (layer " + a.layer() + ")") + ": " + a.message());
    } else if (e instanceof RunEvent.Checkpoint c) {
      if (!terminal) {
        println("checkpoint step " + c.step() + ": " + c.path());
      }
    } else if (e instanceof RunEvent.TargetReached t) {
      println(String.format(Locale.ROOT, "target reached at step %d: %s %.4f <= %s after %.1f s, %d tokens", t.step(),
          t.metric(), t.value(), t.threshold(), t.trainSeconds(), t.tokens()));
    } else if (e instanceof RunEvent.RunFinished f) {
      println(String.format(Locale.ROOT, "finished %d steps in %.1f s%s", f.step(), f.wallSeconds(),
          f.finalValLoss() == null ? "" : String.format(Locale.ROOT, ", final val_loss %.4f", f.finalValLoss())));
    } else if (e instanceof RunEvent.RunFailed f) {
      println("run failed at step " + f.step() + ": " + f.error());
    }
  }

  private static String aux(RunEvent.Step s) {
    StringBuilder b = new StringBuilder();
    s.auxLosses().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
    return b.toString();
  }

  private String eta(long step) {
    long done = step - startStep;
    if (done <= 0) {
      return "?";
    }
    double perStep = (System.nanoTime() - startNanos) / 1e9 / done;
    long s = Math.round(perStep * (totalSteps - step));
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }

  private String bar(long step) {
    int width = 20;
    int filled = totalSteps == 0 ? 0 : (int) (width * step / totalSteps);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }

  private void println(String s) {
    if (lineOpen) {
      out.println();
      lineOpen = false;
    }
    out.println(s);
  }
}
