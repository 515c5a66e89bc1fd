package dev.roundhouse.app.compare;

import java.util.List;

/** One colour per compared run (in the order they were chosen), distinct for the first ten, then repeating. */
public final class RunColours {
  /** Tableau 10: told apart by most readers, also in print. */
  private static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac");

  private RunColours() {}

  /** The colour of the {@code i}-th compared run. */
  public static String of(int i) {
    return PALETTE.get(Math.floorMod(i, PALETTE.size()));
  }
}
