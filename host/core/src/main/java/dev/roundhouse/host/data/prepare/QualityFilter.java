package dev.roundhouse.host.data.prepare;

import java.util.HashSet;
import java.util.Set;

/** The simple quality filters of a mixture: length bounds, character-class ratio, repeated lines. Stateless. */
final class QualityFilter {

  /** Why a document is dropped, or KEEP. */
  enum Verdict { KEEP, TOO_SHORT, TOO_LONG, CHAR_CLASS, REPEATED_LINES }

  private QualityFilter() {}

  static Verdict check(String doc, MixSpec.Filters f) {
    if (doc.length() < f.minChars()) {
      return Verdict.TOO_SHORT;
    }
    if (doc.length() > f.maxChars()) {
      return Verdict.TOO_LONG;
    }
    if (f.minAlnumRatio() > 0) {
      long good = doc.codePoints().filter(c -> Character.isLetterOrDigit(c) || Character.isWhitespace(c)).count();
      if (good < f.minAlnumRatio() * doc.codePointCount(0, doc.length())) {
        return Verdict.CHAR_CLASS;
      }
    }
    if (f.maxRepeatedLineRatio() < 1) {
      Set<String> seen = new HashSet<>();
      int lines = 0;
      int repeated = 0;
      for (String line : doc.split("\n")) {
        String t = line.strip();
        if (t.isEmpty()) {
          continue;
        }
        lines++;
        if (!seen.add(t)) {
          repeated++;
        }
      }
      if (lines > 0 && repeated > f.maxRepeatedLineRatio() * lines) {
        return Verdict.REPEATED_LINES;
      }
    }
    return Verdict.KEEP;
  }
}
