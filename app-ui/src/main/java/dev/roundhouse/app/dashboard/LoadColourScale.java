package dev.roundhouse.app.dashboard;

import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

/**
 * The colours of the expert-load heat maps and their drawing: a cell grid filled from a colour per cell,
 * and a legend bar. Two scales: {@link #sequential} (share of the layer's tokens, white .. dark blue up to
 * the map's largest share) and {@link #DIVERGING} (load / mean on a log scale centred on the uniform share
 * 1/E: blue below, white at 1/E, red above, saturating at 1/{@value #SPAN}x and {@value #SPAN}x). Either
 * paints an expert without tokens in its own dead colour. Immutable; draw on the FX thread.
 */
public final class LoadColourScale {
  /** The diverging scale saturates at this factor above or below the uniform share. */
  public static final double SPAN = 8;
  /** Load / mean, fixed across time so windows and runs compare; dead experts black. */
  public static final LoadColourScale DIVERGING = new LoadColourScale(Color.web("#2166ac"), Color.web("#f7f7f7"),
      Color.web("#b2182b"), Color.web("#111111"), 0);

  private final Color low;
  private final Color mid;
  private final Color high;
  private final Color dead;
  /** The value of {@code high} on a sequential scale; 0 marks the diverging one. */
  private final double max;

  private LoadColourScale(Color low, Color mid, Color high, Color dead, double max) {
    this.low = low;
    this.mid = mid;
    this.high = high;
    this.dead = dead;
    this.max = max;
  }

  /** Share of tokens 0 .. {@code max}: white to dark blue; an expert without tokens pale red. */
  public static LoadColourScale sequential(double max) {
    return new LoadColourScale(Color.web("#f7fbff"), null, Color.web("#08306b"), Color.web("#fcbba1"), max);
  }

  /** The colour of {@code v} (0 or less: the dead colour). */
  public Color colour(double v) {
    if (v <= 0) {
      return dead;
    }
    if (mid == null) {
      return low.interpolate(high, max <= 0 ? 0 : Math.min(1, v / max));
    }
    double t = Math.max(-1, Math.min(1, Math.log(v) / Math.log(SPAN)));
    return t < 0 ? mid.interpolate(low, -t) : mid.interpolate(high, t);
  }

  /** The colour of experts without tokens. */
  public Color dead() {
    return dead;
  }

  /** The colour at fraction {@code f} (0 .. 1) along the legend bar: low to high (through 1/E when diverging). */
  Color along(double f) {
    return mid == null ? low.interpolate(high, f) : colour(Math.pow(SPAN, 2 * f - 1));
  }

  /** A legend bar {@code width} x 12 with its left end at ({@code x}, {@code y} - 6). */
  public void drawLegend(GraphicsContext g, double x, double y, double width) {
    int steps = 60;
    for (int k = 0; k < steps; k++) {
      g.setFill(along(k / (steps - 1.0)));
      g.fillRect(x + k * width / steps, y - 6, width / steps + 1, 12);
    }
  }

  /** The colour of cell (row, column). */
  @FunctionalInterface
  public interface CellColour {
    Color at(int row, int col);
  }

  /**
   * Fills a {@code rows} x {@code cols} grid of cells {@code cw} x {@code ch} from ({@code left}, {@code top}),
   * each at least one pixel, cell edges on whole pixels, {@code gap} pixels between cells (0: none).
   */
  public static void fillCells(GraphicsContext g, double left, double top, double cw, double ch, int rows, int cols,
      double gap, CellColour colour) {
    for (int r = 0; r < rows; r++) {
      double y0 = Math.floor(top + r * ch);
      double y1 = Math.floor(top + (r + 1) * ch);
      for (int c = 0; c < cols; c++) {
        double x0 = Math.floor(left + c * cw);
        double x1 = Math.floor(left + (c + 1) * cw);
        g.setFill(colour.at(r, c));
        g.fillRect(x0, y0, Math.max(1, x1 - x0 - gap), Math.max(1, y1 - y0 - gap));
      }
    }
  }
}
