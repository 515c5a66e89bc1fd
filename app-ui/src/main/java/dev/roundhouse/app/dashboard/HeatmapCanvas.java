package dev.roundhouse.app.dashboard;

import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * Expert-load heat map: one row per MoE layer, one column per expert, colour = share of the layer's
 * routed tokens (white = none, dark blue = the map's largest share; experts with no tokens pale red),
 * with the share in percent in each cell when it fits, and a colour legend.
 */
public final class HeatmapCanvas extends Region {
  private static final double LEFT = 64;
  private static final double TOP = 22;
  private static final double BOTTOM = 38;
  private final Canvas canvas = new Canvas();
  private Heatmap map;

  public HeatmapCanvas() {
    getChildren().add(canvas);
    setPrefSize(560, 260);
    setMinSize(200, 120);
  }

  /** Shows {@code m} (null clears). */
  public void show(Heatmap m) {
    this.map = m;
    draw();
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
    if (map == null || map.share().length == 0) {
      g.setTextAlign(TextAlignment.CENTER);
      g.fillText("No expert load yet", w / 2, h / 2);
      return;
    }
    int rows = map.share().length;
    int cols = map.experts();
    double max = 0;
    for (double[] r : map.share()) {
      for (double v : r) {
        max = Math.max(max, v);
      }
    }
    double cw = (w - LEFT - 8) / cols;
    double ch = (h - TOP - BOTTOM) / rows;
    g.setTextAlign(TextAlignment.LEFT);
    g.fillText("step " + map.step() + (map.domain() == null ? "" : "  domain " + map.domain())
        + "   rows: layers, columns: experts", LEFT, TOP / 2);
    LoadColourScale scale = LoadColourScale.sequential(max);
    LoadColourScale.fillCells(g, LEFT, TOP, cw, ch, rows, cols, 1, (i, e) -> scale.colour(map.share()[i][e]));
    for (int i = 0; i < rows; i++) {
      double y = TOP + i * ch;
      g.setFill(Color.BLACK);
      g.setTextAlign(TextAlignment.RIGHT);
      g.fillText("layer " + map.layers().get(i), LEFT - 6, y + ch / 2);
      for (int e = 0; e < cols && cw >= 30 && ch >= 14; e++) {
        double v = map.share()[i][e];
        g.setFill(scale.colour(v).getBrightness() < 0.6 ? Color.WHITE : Color.BLACK);
        g.setTextAlign(TextAlignment.CENTER);
        g.fillText(String.format("%.0f", v * 100), LEFT + e * cw + cw / 2, y + ch / 2);
      }
    }
    g.setFill(Color.BLACK);
    g.setTextAlign(TextAlignment.CENTER);
    int every = Math.max(1, (int) Math.ceil(24 / cw));
    for (int e = 0; e < cols; e += every) {
      g.fillText(String.valueOf(e), LEFT + e * cw + cw / 2, TOP + rows * ch + 8);
    }
    double ly = h - 12;
    double lw = Math.min(200, w - LEFT - 120);
    scale.drawLegend(g, LEFT, ly, lw);
    g.setFill(Color.BLACK);
    g.setTextAlign(TextAlignment.LEFT);
    g.fillText(String.format("0 .. %.1f%% of the layer's tokens; pale red: none", max * 100),
        LEFT + lw + 6, ly);
  }
}
