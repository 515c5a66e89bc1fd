package dev.roundhouse.host.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Document generators of the synthetic corpus, one per domain. Each appends one document (ending in
 * a newline) drawn from {@code r}. All output is ASCII.
 */
final class SyntheticDomains {

  /** Domain names, indexed by domain id. */
  static final List<String> NAMES = List.of("arithmetic", "english", "json", "code");

  private static final String[] NOUNS = {"dog", "cat", "bird", "farmer", "girl", "teacher", "king",
      "river", "horse", "sailor", "baker", "fox", "queen", "doctor", "goat", "student"};
  private static final String[] VERBS = {"see", "find", "follow", "help", "watch", "carry", "love",
      "chase", "call", "meet", "feed", "like", "know", "greet"};
  private static final String[] ADJECTIVES = {"old", "small", "happy", "quiet", "red", "brave",
      "tired", "clever", "young", "strange", "gentle", "loud"};
  private static final String[] PLACES = {"the house", "the forest", "the market", "the hill",
      "the garden", "the bridge", "the town", "the sea"};
  private static final String[] PREPOSITIONS = {"near", "in", "behind", "under", "across"};
  private static final String[] NAMES_OF_PEOPLE = {"alice", "bob", "carol", "dave", "erin", "frank",
      "grace", "heidi", "ivan", "judy", "mallory", "oscar"};
  private static final String[] CITIES = {"paris", "lima", "oslo", "cairo", "tokyo", "quito", "rome",
      "delhi"};
  private static final String[] TAGS = {"red", "blue", "green", "new", "old", "fast", "slow", "big"};
  private static final String[] IDENTS = {"items", "values", "data", "nums", "xs", "rows"};
  private static final String[] VERBS_CODE = {"sum", "scale", "count", "filter", "max", "shift"};

  private SyntheticDomains() {}

  static void write(int domain, SplittableRandom r, StringBuilder sb) {
    switch (domain) {
      case 0 -> arithmetic(r, sb);
      case 1 -> english(r, sb);
      case 2 -> json(r, sb);
      case 3 -> code(r, sb);
      default -> throw new IllegalArgumentException("no synthetic domain " + domain);
    }
  }

  /** Correct equations such as {@code 12+7=19;48-13=35;6*7=42;}. */
  private static void arithmetic(SplittableRandom r, StringBuilder sb) {
    int n = 6 + r.nextInt(17);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(3)) {
        case 0 -> {
          int a = r.nextInt(100);
          int b = r.nextInt(100);
          sb.append(a).append('+').append(b).append('=').append(a + b);
        }
        case 1 -> {
          int a = r.nextInt(100);
          int b = r.nextInt(a + 1);
          sb.append(a).append('-').append(b).append('=').append(a - b);
        }
        default -> {
          int a = r.nextInt(13);
          int b = r.nextInt(13);
          sb.append(a).append('*').append(b).append('=').append(a * b);
        }
      }
      sb.append(';');
    }
    sb.append('\n');
  }

  /** Subject-verb-object sentences with number agreement, e.g. "The old dog sees a cat near the sea." */
  private static void english(SplittableRandom r, StringBuilder sb) {
    int n = 2 + r.nextInt(5);
    for (int i = 0; i < n; i++) {
      int start = sb.length();
      boolean plural = r.nextInt(3) == 0;
      nounPhrase(r, sb, plural);
      String verb = pick(r, VERBS);
      sb.append(' ').append(plural ? verb : thirdPerson(verb));
      sb.append(' ');
      nounPhrase(r, sb, r.nextInt(3) == 0);
      if (r.nextInt(3) == 0) {
        sb.append(' ').append(pick(r, PREPOSITIONS)).append(' ').append(pick(r, PLACES));
      }
      sb.setCharAt(start, Character.toUpperCase(sb.charAt(start)));
      sb.append(i + 1 < n ? ". " : ".\n");
    }
  }

  private static String thirdPerson(String verb) {
    if (verb.endsWith("ch") || verb.endsWith("sh")) {
      return verb + "es";
    }
    return verb.endsWith("y") ? verb.substring(0, verb.length() - 1) + "ies" : verb + "s";
  }

  private static void nounPhrase(SplittableRandom r, StringBuilder sb, boolean plural) {
    sb.append(plural ? (r.nextBoolean() ? "the" : "some") : (r.nextBoolean() ? "the" : "a"));
    if (r.nextBoolean()) {
      sb.append(' ').append(pick(r, ADJECTIVES));
    }
    String noun = pick(r, NOUNS);
    sb.append(' ').append(noun);
    if (plural) {
      sb.append(noun.endsWith("x") ? "es" : "s");
    }
  }

  /** Records with consecutive ids, e.g. {"id": 17, "name": "alice", "age": 31, ...}. */
  private static void json(SplittableRandom r, StringBuilder sb) {
    int n = 1 + r.nextInt(2);
    int id = r.nextInt(10_000);
    for (int i = 0; i < n; i++) {
      sb.append("{\"id\": ").append(id + i)
          .append(", \"name\": \"").append(pick(r, NAMES_OF_PEOPLE))
          .append("\", \"age\": ").append(18 + r.nextInt(60))
          .append(", \"city\": \"").append(pick(r, CITIES))
          .append("\", \"active\": ").append(r.nextBoolean())
          .append(", \"tags\": [");
      int tags = r.nextInt(4);
      for (int t = 0; t < tags; t++) {
        sb.append(t == 0 ? "" : ", ").append('"').append(pick(r, TAGS)).append('"');
      }
      sb.append("]}\n");
    }
  }

  /** One or two small Python-like functions with loops and conditions. */
  private static void code(SplittableRandom r, StringBuilder sb) {
    int n = 1 + r.nextInt(2);
    for (int i = 0; i < n; i++) {
      function(r, sb);
    }
  }

  private static void function(SplittableRandom r, StringBuilder sb) {
    String xs = pick(r, IDENTS);
    String name = pick(r, VERBS_CODE) + "_" + xs;
    int k = 1 + r.nextInt(9);
    switch (r.nextInt(3)) {
      case 0 -> sb.append("def ").append(name).append("(").append(xs).append("):\n")
          .append("    total = 0\n")
          .append("    for x in ").append(xs).append(":\n")
          .append("        total += x * ").append(k).append('\n')
          .append("    return total\n");
      case 1 -> sb.append("def ").append(name).append("(").append(xs).append(", k):\n")
          .append("    out = []\n")
          .append("    for x in ").append(xs).append(":\n")
          .append("        if x > ").append(k).append(":\n")
          .append("            out.append(x - k)\n")
          .append("    return out\n");
      default -> sb.append("def ").append(name).append("(n):\n")
          .append("    i = 0\n")
          .append("    while i < n:\n")
          .append("        i += ").append(k).append('\n')
          .append("    return i\n");
    }
    sb.append('\n');
  }

  private static String pick(SplittableRandom r, String[] words) {
    return words[r.nextInt(words.length)];
  }
}
