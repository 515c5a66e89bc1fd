package dev.roundhouse.app.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javax.imageio.ImageIO;

/** Writes a node (chart, heat map, whole screen) as a PNG, as it is rendered now. FX thread only. */
public final class PngExport {
  private PngExport() {}

  /** Snapshots {@code node} on a white background into {@code file}; returns the image. */
  public static WritableImage write(Node node, Path file) throws IOException {
    SnapshotParameters params = new SnapshotParameters();
    params.setFill(Color.WHITE);
    WritableImage img = node.snapshot(params, null);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", file.toFile())) {
      throw new IOException("no PNG writer available for " + file);
    }
    return img;
  }
}
