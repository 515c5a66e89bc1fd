package dev.roundhouse.host.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's messages in user terms: first line only, Java type names replaced by JSON ones ({@code
 * `java.lang.Integer`} becomes {@code integer}), references to its own classes dropped, at most 200 characters.
 * Stateless and thread-safe.
 */
public final class ParserMessages {
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("java.lang.Integer", "integer"), Map.entry("int", "integer"),
      Map.entry("java.lang.Long", "integer"), Map.entry("long", "integer"),
      Map.entry("java.lang.Double", "number"), Map.entry("double", "number"),
      Map.entry("java.lang.Float", "number"), Map.entry("float", "number"),
      Map.entry("java.lang.Boolean", "boolean"), Map.entry("boolean", "boolean"),
      Map.entry("java.lang.String", "string"));
  private static final Pattern QUOTED = Pattern.compile("`([A-Za-z0-9_.$\\[\\]<>, ]+)`");
  private static final Pattern FROM_LIMIT = Pattern.compile(", from `[^`]*`");
  private static final Pattern NOT_OBJECT = Pattern.compile(
      "Cannot construct instance of .*(?:deserialize|from) (?:from )?(\\w+) value \\(?(.*?)\\)?$");

  private ParserMessages() {}

  public static String plain(String m) {
    if (m == null) {
      return "invalid value";
    }
    int nl = m.indexOf('\n');
    String s = nl < 0 ? m : m.substring(0, nl);
    s = FROM_LIMIT.matcher(s).replaceAll("");
    Matcher notObject = NOT_OBJECT.matcher(s);
    if (notObject.find()) {
      s = "must be a JSON object, got " + notObject.group(1).toLowerCase(java.util.Locale.ROOT) + " " + notObject.group(2);
    }
    Matcher q = QUOTED.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (q.find()) {
      String type = q.group(1);
      String plain = TYPES.get(type);
      if (plain == null) {
        int dot = type.lastIndexOf('.');
        plain = dot < 0 ? type : type.substring(dot + 1).replace('$', '.');
        plain = plain.replaceAll("(Config|Spec)$", "") + " section";
      }
      q.appendReplacement(sb, Matcher.quoteReplacement(plain));
    }
    q.appendTail(sb);
    s = sb.toString();
    return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " characters)";
  }
}
