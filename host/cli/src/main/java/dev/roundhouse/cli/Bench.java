package dev.roundhouse.cli;

import java.io.PrintStream;
import java.util.List;

/** `roundhouse bench`: runs named benchmark scenarios and prints a table (and JSON on request). */
final class Bench {
  private Bench() {}

  static int run(List<String> scenarios, String jsonFile, PrintStream out) {
    out.println("bench: not wired yet");
    return ExitCodes.OK;
  }
}
