package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.registry.PluginInfo;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins come only from the configured folder and every loaded jar is in the run record with its SHA-256; the host
 * sources contain no network client (nothing is fetched at run time).
 */
class SecurityTest {
  @TempDir Path tmp;

  @Test
  void provenanceListsEveryLoadedJarWithItsSha256AndOnlyJarsOfTheConfiguredFolder() throws Exception {
    Path plugins = tmp.resolve("plugins");
    try (PluginRegistry registry = FaultPlugins.registry(plugins)) {
      List<PluginInfo> loaded = registry.pluginInfo();
      assertTrue(loaded.size() >= 5, loaded.toString());
      Path root = plugins.toAbsolutePath().normalize();
      for (PluginInfo p : loaded) {
        assertTrue(p.jar().toAbsolutePath().normalize().startsWith(root), p.jar() + " is outside " + root);
      }
      Runs.Prepared p = Runs.create(TinyRuns.tiny("train.steps=1", "train.evalEvery=1", "train.checkpointEvery=1"),
          registry, tmp.resolve("runs"), new EventBus());
      Runs.execute(p);
      JsonNode prov = Json.read(p.run().directory().provenanceFile());
      Map<String, String> recorded = new HashMap<>();
      for (JsonNode n : prov.path("plugins")) {
        recorded.put(n.path("jar").asText(), n.path("sha256").asText());
      }
      assertEquals(loaded.size(), recorded.size(), prov.toString());
      for (PluginInfo i : loaded) {
        assertEquals(Sha256.ofFile(i.jar()), recorded.get(i.jar().toString()), i.jar().toString());
      }
    }
  }

  @Test
  void hostSourcesHaveNoNetworkClient() throws Exception {
    Path core = Path.of(System.getProperty("user.dir"), "src", "main", "java");
    Path cli = Path.of(System.getProperty("user.dir"), "..", "cli", "src", "main", "java").normalize();
    List<String> banned = List.of("HttpClient", "openConnection(", "openStream(", "new Socket(", "URLConnection",
        "SocketChannel");
    int files = 0;
    for (Path srcRoot : List.of(core, cli)) {
      assertTrue(Files.isDirectory(srcRoot), srcRoot.toString());
      try (Stream<Path> s = Files.walk(srcRoot)) {
        for (Path f : s.filter(x -> x.toString().endsWith(".java")).toList()) {
          files++;
          String text = Files.readString(f);
          for (String b : banned) {
            assertTrue(!text.contains(b), f + " uses " + b);
          }
        }
      }
    }
    assertTrue(files > 50, "scanned " + files);
  }
}
