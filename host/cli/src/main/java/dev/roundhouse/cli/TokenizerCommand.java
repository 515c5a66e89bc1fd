package dev.roundhouse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.data.Tokenizer;
import dev.roundhouse.host.data.tokenizer.BpeTrainer;
import dev.roundhouse.host.data.tokenizer.HfTokenizerJson;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code roundhouse tokenizer train|encode|decode}: trains a byte-level BPE tokenizer.json, and
 * encodes/decodes a file with any tokenizer spec so the ids can be compared with other
 * implementations.
 */
final class TokenizerCommand {

  static final String USAGE = String.join("\n",
      "  tokenizer train --vocab N FILE... --out DIR [--holdout F]",
      "        train a byte-level BPE (GPT-4 split, <|bos|> <|eos|>) into DIR/tokenizer.json; the last",
      "        fraction F (default 0.01) of the text is held out to report bytes per token",
      "  tokenizer encode --tokenizer SPEC [--pattern P] FILE   print the ids of FILE as a JSON array",
      "  tokenizer decode --tokenizer SPEC [--pattern P] FILE   print the text of a JSON array of ids",
      "        SPEC: byte, a tokenizer.json, or a .tiktoken file (P: its encoding name or split regex)");

  private static final ObjectMapper JSON = new ObjectMapper();
  private final PrintStream out;

  TokenizerCommand(PrintStream out) {
    this.out = out;
  }

  int run(String[] argv) throws IOException {
    if (argv.length < 2) {
      throw new Args.UsageException("tokenizer needs a subcommand: train, encode or decode");
    }
    return switch (argv[1]) {
      case "train" -> train(Args.parse(argv, 2, Set.of("vocab", "out", "holdout"), Set.of()));
      case "encode", "decode" -> code(argv[1], Args.parse(argv, 2, Set.of("tokenizer", "pattern"), Set.of()));
      default -> throw new Args.UsageException("unknown tokenizer subcommand '" + argv[1] + "'");
    };
  }

  private int train(Args a) throws IOException {
    if (a.option("vocab") == null || a.option("out") == null || a.positionals.isEmpty()) {
      throw new Args.UsageException("tokenizer train needs --vocab N, --out DIR and at least one FILE");
    }
    int vocab = parseInt(a.option("vocab"), "--vocab");
    double holdout = a.option("holdout") == null ? 0.01 : Double.parseDouble(a.option("holdout"));
    if (!(holdout >= 0 && holdout < 0.5)) {
      throw new Args.UsageException("--holdout must be in [0, 0.5), got " + holdout);
    }
    StringBuilder all = new StringBuilder();
    for (String f : a.positionals) {
      Path p = Path.of(f);
      if (!Files.isRegularFile(p)) {
        throw new DataException(f + ": training file not found");
      }
      String text = Files.readString(p, StandardCharsets.UTF_8);
      all.append(text);
      if (!text.endsWith("\n")) {
        all.append('\n');
      }
    }
    int cut = all.length() - (int) (all.length() * holdout);
    int nl = all.lastIndexOf("\n", Math.max(0, cut - 1));
    cut = holdout == 0 ? all.length() : (nl > 0 ? nl + 1 : cut);
    String trainText = all.substring(0, cut);
    String heldOut = all.substring(cut);
    long t0 = System.nanoTime();
    BpeTrainer.Result r = BpeTrainer.train(List.of(trainText), vocab, BpeTrainer.DEFAULT_SPECIALS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Path dir = Path.of(a.option("out"));
    Files.createDirectories(dir);
    Path file = dir.resolve("tokenizer.json");
    HfTokenizerJson.write(r.toTokenizerJson(), file);
    out.printf("trained %d merges (vocab %d incl. %s) on %,d bytes in %.1f s -> %s%n", r.merges().size(),
        r.vocabSize(), r.specials().keySet(), trainText.getBytes(StandardCharsets.UTF_8).length, seconds, file);
    if (!heldOut.isEmpty()) {
      Tokenizer tok = HfTokenizerJson.load(file);
      long bytes = heldOut.getBytes(StandardCharsets.UTF_8).length;
      int tokens = tok.encode(heldOut).length;
      out.printf("held-out: %,d bytes -> %,d tokens = %.3f bytes per token%n", bytes, tokens, (double) bytes / tokens);
    }
    return ExitCodes.OK;
  }

  private int code(String mode, Args a) throws IOException {
    if (a.option("tokenizer") == null || a.positionals.size() != 1) {
      throw new Args.UsageException("tokenizer " + mode + " needs --tokenizer SPEC and one FILE");
    }
    TokenizerSpec parsed = TokenizerSpec.parse(a.option("tokenizer"));
    TokenizerSpec spec = new TokenizerSpec(parsed.type(), parsed.path(), a.option("pattern"));
    Tokenizer tok = spec.open();
    Path file = Path.of(a.positional(0, "FILE"));
    if (!Files.isRegularFile(file)) {
      throw new DataException(file + ": file not found");
    }
    if (mode.equals("encode")) {
      out.println(JSON.writeValueAsString(tok.encode(Files.readString(file, StandardCharsets.UTF_8))));
    } else {
      int[] ids;
      try {
        ids = JSON.readValue(file.toFile(), int[].class);
      } catch (IOException e) {
        throw new DataException(file + ": not a JSON array of token ids: " + e.getMessage().lines().findFirst().orElse(""));
      }
      out.print(tok.decode(ids));
      out.flush();
    }
    return ExitCodes.OK;
  }

  private static int parseInt(String s, String name) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new Args.UsageException(name + " must be an integer, got '" + s + "'");
    }
  }
}
