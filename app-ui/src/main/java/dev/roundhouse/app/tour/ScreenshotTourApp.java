package dev.roundhouse.app.tour;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.app.AppViewModel;
import dev.roundhouse.app.AppViewModel.Screen;
import dev.roundhouse.app.MainView;
import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.registry.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.robot.Robot;
import javafx.stage.Stage;
import javax.imageio.ImageIO;

/** The FX side of {@link ScreenshotTour}: drives the real app and captures the screen pixels of its window. */
public final class ScreenshotTourApp extends Application {
  private Stage stage;
  private AppViewModel app;
  private MainView view;
  private Path out;

  @Override
  public void start(Stage primary) throws IOException {
    List<String> args = getParameters().getRaw();
    out = Path.of(args.get(0)).toAbsolutePath();
    Path runs = args.size() > 1 ? Path.of(args.get(1)) : Files.createTempDirectory("roundhouse-tour-runs");
    Path plugins = Files.createTempDirectory("roundhouse-tour-plugins");
    String src = System.getProperty("roundhouse.plugins.dir");
    Path from = src == null ? PluginRegistry.defaultPluginsDir() : Path.of(src);
    try (var jars = Files.list(from)) {
      for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.copy(j, plugins.resolve(j.getFileName()));
      }
    }
    // A broken jar so the Plugins screen shows how a load error looks.
    Files.writeString(plugins.resolve("broken-plugin.jar"), "not a zip");
    stage = primary;
    app = new AppViewModel(plugins, runs, UiExecutor.fx());
    view = new MainView(app);
    Scene scene = new Scene(view.root(), 1360, 860);
    scene.getStylesheets().add(MainView.stylesheet());
    stage.titleProperty().bind(view.windowTitle());
    stage.setScene(scene);
    stage.setX(0);
    stage.setY(0);
    stage.show();
    Thread t = new Thread(this::tour, "screenshot-tour");
    t.setDaemon(true);
    t.start();
  }

  private void tour() {
    int code = 0;
    try {
      Files.createDirectories(out);
      train(config("router-aux-off", "model.moe.router.auxLossCoef=0"));
      Path cfg = config("router-aux-on");
      train(cfg);
      fx(() -> app.screenProperty().set(Screen.DASHBOARD));
      shoot("dashboard.png");
      // sigmoid-topk at a high learning rate: experts die and come back within tens of steps
      train(config("sigmoid-hot-lr", "model.moe.router={\"type\":\"sigmoid-topk\"}", "optimizer.lr=0.05",
          "train.logEvery=1", "train.steps=" + Integer.getInteger("tour.hotSteps", 80)));
      fx(() -> {
        app.screenProperty().set(Screen.DASHBOARD);
        tabs("#loadTabs").getSelectionModel().select(1);
        tabs("#chartTabs").getSelectionModel().select(2);
      });
      shoot("expert-timeline.png");
      fx(() -> {
        tabs("#loadTabs").getSelectionModel().select(0);
        tabs("#chartTabs").getSelectionModel().select(1);
      });
      shoot("dashboard-training.png");
      fx(() -> tabs("#chartTabs").getSelectionModel().select(0));
      fx(() -> {
        app.runs().refresh();
        app.screenProperty().set(Screen.RUNS);
      });
      shoot("runs.png");
      fx(() -> app.screenProperty().set(Screen.PLUGINS));
      shoot("plugins.png");
      fx(() -> {
        app.compose().load(cfg);
        app.compose().field("model.moe.topK").textProperty().set("12");
        app.screenProperty().set(Screen.COMPOSE);
      });
      shoot("compose.png");
      fx(() -> {
        app.compare().compare(List.copyOf(app.runs().runs()));
        app.screenProperty().set(Screen.COMPARE);
      });
      shoot("compare.png");
      System.out.println("screenshots written to " + out);
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      int exit = code;
      Platform.runLater(() -> {
        app.close();
        Platform.exit();
        System.exit(exit);
      });
    }
  }

  /** A small MoE (4 layers, 8 experts top-2) that trains in well under a minute on 2 cores. */
  private Path config(String name, String... extra) throws IOException {
    ObjectNode root = ConfigLoader.readTree(null);
    List<String> sets = new java.util.ArrayList<>(List.of("name=" + name, "data.syntheticBytes=200000",
        "model.seqLen=32", "model.dModel=64", "model.nLayers=4", "model.nHeads=4",
        "model.moe.firstDenseLayers=1", "model.moe.denseHidden=128", "model.moe.routedExperts=8",
        "model.moe.topK=2", "model.moe.expertHidden=32", "model.moe.sharedExperts=1", "model.moe.sharedHidden=64",
        "train.steps=" + Integer.getInteger("tour.steps", 120), "train.batchSize=8", "train.warmupSteps=10", "train.evalEvery=20", "train.evalBatches=2",
        "train.checkpointEvery=60", "train.logEvery=4", "optimizer.lr=0.01"));
    sets.addAll(List.of(extra));
    ConfigLoader.applyOverrides(root, sets);
    Path f = Files.createTempFile("tour-" + name, ".json");
    Files.writeString(f, ConfigLoader.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
    return f;
  }

  private javafx.scene.control.TabPane tabs(String id) {
    return (javafx.scene.control.TabPane) stage.getScene().lookup(id);
  }

  private void train(Path cfg) throws Exception {
    fx(() -> {
      app.compose().load(cfg);
      app.runs().launch();
    });
    waitFor(() -> app.runs().runningProperty().get(), 30);
    waitFor(() -> !app.runs().runningProperty().get(), 600);
    Thread.sleep(500);
  }

  private void shoot(String file) throws Exception {
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      fx(() -> { }); // wait for the FX thread (layout of a first-shown screen can take a while)
      Thread.sleep(700);
      System.out.printf("  %s: FX thread round trip %.0f ms%n", file, (System.nanoTime() - t0) / 1e6 - 700);
    }
    CountDownLatch done = new CountDownLatch(1);
    Exception[] failure = new Exception[1];
    Platform.runLater(() -> {
      try {
        WritableImage img = new Robot().getScreenCapture(null, stage.getX(), stage.getY(),
            stage.getScene().getWidth(), stage.getScene().getHeight(), false);
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", out.resolve(file).toFile());
      } catch (Exception e) {
        failure[0] = e;
      } finally {
        done.countDown();
      }
    });
    if (!done.await(30, TimeUnit.SECONDS) || failure[0] != null) {
      throw new IllegalStateException("capture of " + file + " failed", failure[0]);
    }
    System.out.println("wrote " + out.resolve(file));
  }

  private static void fx(Runnable r) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Platform.runLater(() -> {
      try {
        r.run();
      } finally {
        done.countDown();
      }
    });
    done.await(60, TimeUnit.SECONDS);
  }

  private static void waitFor(BooleanSupplier cond, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out after " + seconds + " s");
      }
      Thread.sleep(100);
    }
  }
}
