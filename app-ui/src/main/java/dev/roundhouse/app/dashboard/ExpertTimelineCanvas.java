package dev.roundhouse.app.dashboard;

import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

/**
 * Expert x time heat map of one MoE layer: columns are load windows (time), rows experts, colour =
 * load / mean on a diverging log scale centred on the uniform share 1/E (white), blue below, red
 * above, saturating at 1/{@value #SPAN}x and {@value #SPAN}x; the scale is fixed, so windows and runs
 * compare. Experts without tokens are black. Rows shrink to 1 px for many experts (labels every few
 * rows); hovering shows the step, expert, load / mean and share.
 */
public final class ExpertTimelineCanvas extends Region {
  /** Colour saturates at this factor above or below the uniform share. */
  public static final double SPAN = LoadColourScale.SPAN;
  private static final LoadColourScale SCALE = LoadColourScale.DIVERGING;
  private static final double LEFT = 56;
  private static final double TOP = 22;
  private static final double BOTTOM = 52;
  private static final double RIGHT = 8;
  private final Canvas canvas = new Canvas();
  private final Tooltip tip = new Tooltip();
  private ExpertTimeline data;

  public ExpertTimelineCanvas() {
    getChildren().add(canvas);
    setPrefSize(560, 300);
    setMinSize(200, 140);
    tip.setShowDelay(Duration.millis(50));
    Tooltip.install(this, tip);
    setOnMouseMoved(e -> tip.setText(describeAt(e.getX(), e.getY())));
  }

  /** Shows {@code t} (null clears). */
  public void show(ExpertTimeline t) {
    this.data = t;
    draw();
  }

  /** The colour of load / mean {@code rel} (0: the dead-expert colour). */
  public static Color colour(double rel) {
    return SCALE.colour(rel);
  }

  /** "step 120, expert 7: 2.31 x mean (14.4% of tokens)" under the pointer, or a hint. */
  public String describeAt(double x, double y) {
    if (data == null || data.windows() == 0) {
      return "No expert load yet";
    }
    double pw = canvas.getWidth() - LEFT - RIGHT;
    double ph = canvas.getHeight() - TOP - BOTTOM;
    int w = (int) Math.floor((x - LEFT) / pw * data.windows());
    int e = (int) Math.floor((y - TOP) / ph * data.experts());
    if (w < 0 || w >= data.windows() || e < 0 || e >= data.experts()) {
      return "layer " + data.layer() + ": hover a cell";
    }
    double rel = data.relLoad().get(w)[e];
    return String.format("layer %d, step %d, expert %d: %s", data.layer(), data.steps().get(w), e,
        rel == 0 ? "no tokens (dead)" : String.format("%.2f x mean (%.1f%% of tokens)", rel, 100 * rel / data.experts()));
  }

  @Override
  protected void layoutChildren() {
    canvas.setWidth(getWidth());
    canvas.setHeight(getHeight());
    draw();
  }

  private void draw() {
    GraphicsContext g = canvas.getGraphicsContext2D();
    double w = canvas.getWidth();
    double h = canvas.getHeight();
    g.setFill(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setFill(Color.BLACK);
    g.setTextBaseline(VPos.CENTER);
    if (data == null || data.windows() == 0) {
      g.setTextAlign(TextAlignment.CENTER);
      g.fillText("No expert load yet", w / 2, h / 2);
      return;
    }
    int cols = data.windows();
    int rows = data.experts();
    double pw = w - LEFT - RIGHT;
    double ph = h - TOP - BOTTOM;
    double cw = pw / cols;
    double ch = ph / rows;
    g.setTextAlign(TextAlignment.LEFT);
    g.fillText("layer " + data.layer() + (data.domain() == null ? "" : ", domain " + data.domain())
        + ": rows experts, columns load windows (time)", LEFT, TOP / 2);
    LoadColourScale.fillCells(g, LEFT, TOP, cw, ch, rows, cols, 0, (e, c) -> SCALE.colour(data.relLoad().get(c)[e]));
    g.setFill(Color.BLACK);
    g.setTextAlign(TextAlignment.RIGHT);
    int every = Math.max(1, (int) Math.ceil(12 / ch));
    for (int e = 0; e < rows; e += every) {
      g.fillText("e" + e, LEFT - 4, TOP + e * ch + ch / 2);
    }
    g.setTextAlign(TextAlignment.CENTER);
    int ticks = Math.max(1, Math.min(cols, (int) (pw / 70)));
    for (int k = 0; k < ticks; k++) {
      int c = (int) Math.round(k * (cols - 1) / (double) Math.max(1, ticks - 1));
      g.fillText(String.valueOf(data.steps().get(c)), LEFT + c * cw + cw / 2, TOP + ph + 9);
    }
    double ly = h - 12;
    double lw = Math.min(220, pw - 200);
    SCALE.drawLegend(g, LEFT, ly, lw);
    g.setFill(Color.BLACK);
    g.setTextAlign(TextAlignment.CENTER);
    g.fillText(String.format("1/%.0f x", SPAN), LEFT, ly - 14);
    g.fillText("1/E share", LEFT + lw / 2, ly - 14);
    g.fillText(String.format("%.0f x mean", SPAN), LEFT + lw, ly - 14);
    g.setFill(SCALE.dead());
    g.fillRect(LEFT + lw + 30, ly - 6, 12, 12);
    g.setFill(Color.BLACK);
    g.setTextAlign(TextAlignment.LEFT);
    g.fillText("no tokens (dead)", LEFT + lw + 46, ly);
    g.setTextAlign(TextAlignment.RIGHT);
    g.fillText("step", LEFT + pw, ly);
  }
}
