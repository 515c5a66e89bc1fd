package dev.roundhouse.app.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.scene.paint.Color;
import org.junit.jupiter.api.Test;

/** The heat maps' shared colour scales: ends, centre, saturation and the dead colour. */
class LoadColourScaleTest {
  @Test
  void divergingIsCentredOnTheUniformShareAndSaturates() {
    LoadColourScale s = LoadColourScale.DIVERGING;
    assertEquals(Color.web("#f7f7f7"), s.colour(1.0), "1/E share is white");
    assertEquals(Color.web("#b2182b"), s.colour(LoadColourScale.SPAN));
    assertEquals(s.colour(LoadColourScale.SPAN), s.colour(100), "saturates above SPAN x mean");
    assertEquals(Color.web("#2166ac"), s.colour(1 / LoadColourScale.SPAN));
    Color half = s.colour(0.5);
    assertTrue(half.getBlue() > half.getRed(), "below the mean: blue side " + half);
    assertEquals(Color.web("#111111"), s.colour(0), "dead experts");
    assertNotEquals(s.colour(0), s.colour(1e-6), "dead differs from starved");
    assertEquals(s.colour(1.0), s.along(0.5), "the legend's middle is the uniform share");
    assertEquals(ExpertTimelineCanvas.colour(2.0), s.colour(2.0), "the timeline draws with this scale");
  }

  @Test
  void sequentialRunsFromWhiteToTheLargestShare() {
    LoadColourScale s = LoadColourScale.sequential(0.5);
    assertEquals(Color.web("#08306b"), s.colour(0.5));
    assertEquals(Color.web("#08306b"), s.colour(0.9), "capped at the map's largest share");
    assertEquals(Color.web("#f7fbff").interpolate(Color.web("#08306b"), 0.5), s.colour(0.25));
    assertEquals(Color.web("#fcbba1"), s.colour(0), "an expert without tokens is pale red");
    assertEquals(s.along(1), s.colour(0.5));
  }
}
