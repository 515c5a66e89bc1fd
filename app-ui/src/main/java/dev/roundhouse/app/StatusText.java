package dev.roundhouse.app;

import javafx.scene.control.Labeled;
import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/** Status and message labels whose whole text can be read when the window cuts them off: a tooltip that follows. */
public final class StatusText {
  private StatusText() {}

  /** Gives {@code label} a tooltip always showing its current text (none while the text is empty). */
  public static <L extends Labeled> L withTooltip(L label) {
    Tooltip tip = new Tooltip();
    tip.textProperty().bind(label.textProperty());
    tip.setShowDelay(Duration.millis(300));
    tip.setWrapText(true);
    tip.setMaxWidth(700);
    Runnable update = () -> label.setTooltip(label.getText() == null || label.getText().isEmpty() ? null : tip);
    label.textProperty().addListener(o -> update.run());
    update.run();
    return label;
  }
}
