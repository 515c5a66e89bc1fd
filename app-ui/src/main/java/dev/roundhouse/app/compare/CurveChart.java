package dev.roundhouse.app.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;

/**
 * A line chart of {@link CompareCurve}s, each drawn in its run's colour and dash (the chart's own colour
 * cycle and legend are not used: the config-diff list is the legend). {@link #refresh} redraws from the
 * supplier.
 */
final class CurveChart {
  private final LineChart<Number, Number> chart;
  private final Supplier<List<CompareCurve>> curves;

  CurveChart(String id, String yLabel, Supplier<List<CompareCurve>> curves) {
    this.curves = curves;
    NumberAxis x = new NumberAxis();
    x.setLabel("step");
    NumberAxis y = new NumberAxis();
    y.setLabel(yLabel);
    y.setForceZeroInRange(false);
    chart = new LineChart<>(x, y);
    chart.setId(id);
    chart.setAnimated(false);
    chart.setCreateSymbols(false);
    chart.setLegendVisible(false);
  }

  LineChart<Number, Number> chart() {
    return chart;
  }

  void refresh() {
    List<CompareCurve> cs = curves.get();
    List<XYChart.Series<Number, Number>> all = new ArrayList<>();
    for (CompareCurve c : cs) {
      XYChart.Series<Number, Number> s = new XYChart.Series<>();
      s.setName(c.name());
      List<XYChart.Data<Number, Number>> d = new ArrayList<>();
      for (double[] p : c.points()) {
        d.add(new XYChart.Data<>(p[0], p[1]));
      }
      s.getData().setAll(d);
      all.add(s);
    }
    chart.getData().setAll(all);
    for (int i = 0; i < cs.size(); i++) {
      javafx.scene.Node line = all.get(i).getNode();
      if (line != null) {
        line.setStyle(style(cs.get(i)));
      }
    }
  }

  /** The line's CSS: the run's colour, its dash (none: solid). */
  static String style(CompareCurve c) {
    return "-fx-stroke: " + c.colour() + "; -fx-stroke-width: 1.8;"
        + (c.dash().isEmpty() ? "" : " -fx-stroke-dash-array: " + c.dash() + ";");
  }
}
