package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The API and engine poms shipped in sdk/ (no parent, versions spelled out) must declare the same compile
 * dependencies as plugins-api/pom.xml and plugins-api/engine/pom.xml. A plugin project resolves its transitive versions from the
 * published pom alone; a dependency the build pins but the published pom leaves out (slf4j-api was one)
 * makes a standalone plugin build fetch artifacts this build never downloaded, so the SDK example
 * built offline in ExamplePluginIT, or by a user behind a mirror of this build, fails.
 */
class PublishedApiPomTest {
  private static final Pattern DEPENDENCY = Pattern.compile(
      "<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>(.*?)</dependency>", Pattern.DOTALL);

  @Test
  void publishedPomDeclaresTheApisCompileDependencies() throws IOException {
    assertSameCompileDependencies("plugins-api/pom.xml", "roundhouse-plugins-api.pom");
  }

  @Test
  void publishedEnginePomDeclaresTheEnginesCompileDependencies() throws IOException {
    assertSameCompileDependencies("plugins-api/engine/pom.xml", "roundhouse-engine.pom");
  }

  private static void assertSameCompileDependencies(String modulePom, String sdkPom) throws IOException {
    Path packaging = Path.of("").toAbsolutePath();
    assertEquals(compileDependencies(packaging.resolve("../" + modulePom)), compileDependencies(packaging.resolve("src/sdk/" + sdkPom)),
        "packaging/src/sdk/" + sdkPom + " vs " + modulePom + " compile dependencies");
  }

  private static Set<String> compileDependencies(Path pom) throws IOException {
    String xml = Files.readString(pom).replaceAll("(?s)<!--.*?-->", "");
    int start = xml.indexOf("<dependencies>");
    Set<String> out = new TreeSet<>();
    Matcher m = DEPENDENCY.matcher(xml.substring(start, xml.indexOf("</dependencies>", start)));
    while (m.find()) {
      String rest = m.group(3);
      boolean compile = !rest.contains("<scope>") || rest.contains("<scope>compile</scope>");
      if (compile && !rest.contains("<classifier>")) {
        out.add(m.group(1) + ":" + m.group(2));
      }
    }
    return out;
  }
}
