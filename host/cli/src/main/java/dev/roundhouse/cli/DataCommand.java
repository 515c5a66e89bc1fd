package dev.roundhouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.data.prepare.MixSpec;
import dev.roundhouse.host.data.prepare.PrepareTimings;
import dev.roundhouse.host.data.prepare.Preparer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code roundhouse data prepare MIX.json --out DIR}: a prepared, deduplicated, tokenised mixture. */
final class DataCommand {

  static final String USAGE = String.join("\n",
      "  data prepare MIX.json --out DIR         filter, dedup, split, tokenise and shard a data mixture",
      "        (format: docs/data.md; train on it with data.prepared=DIR)");

  private final PrintStream out;
  private final PrintStream err;

  DataCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String[] argv) throws IOException {
    if (argv.length < 2 || !argv[1].equals("prepare")) {
      throw new Args.UsageException("data needs the subcommand prepare");
    }
    Args a = Args.parse(argv, 2, Set.of("out"), Set.of());
    if (a.option("out") == null || a.positionals.size() != 1) {
      throw new Args.UsageException("data prepare needs MIX.json and --out DIR");
    }
    Path mixFile = Path.of(a.positional(0, "MIX.json"));
    MixSpec mix = Preparer.load(mixFile);
    long t0 = System.nanoTime();
    PrepareTimings timings = new PrepareTimings();
    JsonNode manifest = Preparer.prepare(mix, Path.of(a.option("out")),
        line -> err.printf("  %6.1f s  %s%n", (System.nanoTime() - t0) / 1e9, line),
        Runtime.getRuntime().availableProcessors(), timings);
    double seconds = (System.nanoTime() - t0) / 1e9;
    StringBuilder phases = new StringBuilder();
    timings.phases().forEach((name, p) -> phases.append(String.format("%s %.1f s, ", name.strip(), p.wallNanos() / 1e9)));
    err.println("  phases (wall): " + phases.substring(0, Math.max(0, phases.length() - 2)));
    long bytes = 0;
    long tokens = 0;
    out.printf("%-16s %8s %8s %8s %8s %10s %10s %10s%n", "source", "weight", "epochs", "read", "kept", "train tok",
        "val tok", "dups e/n");
    for (JsonNode s : manifest.get("sources")) {
      JsonNode d = s.get("documents");
      out.printf("%-16s %8.3f %8.2f %8d %8d %10d %10d %5d/%d%n", s.get("name").asText(), s.get("weight").asDouble(),
          s.get("epochs").asDouble(), d.get("read").asLong(), d.get("kept").asLong(), s.get("train").get("tokens").asLong(),
          s.get("val").get("tokens").asLong(), d.get("exactDuplicates").asLong(), d.get("nearDuplicates").asLong());
      bytes += s.get("train").get("bytes").asLong() + s.get("val").get("bytes").asLong();
      tokens += s.get("train").get("tokens").asLong() + s.get("val").get("tokens").asLong();
    }
    out.printf("prepared %,d bytes -> %,d tokens (%s) in %.1f s (%.1f MB/s) -> %s%n", bytes, tokens,
        manifest.get("dtype").asText(), seconds, bytes / 1e6 / seconds, Path.of(a.option("out")).resolve(Preparer.MANIFEST));
    return ExitCodes.OK;
  }
}
