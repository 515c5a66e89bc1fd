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
  /** "Cannot deserialize value of type `int` from String "abc": not a valid `int` value". */
  private static final Pattern WRONG_TYPE = Pattern.compile(
      "Cannot deserialize value of type `([^`]+)` from (\\w+)(?: value)?(?: \\(token [^)]*\\))?(.*)$");
  private static final Pattern QUOTED_INPUT = Pattern.compile("^ (\"(?:[^\"\\\\]|\\\\.)*\")");
  /** "Cannot coerce Floating-point value (1.5) to `int` value ...". */
  private static final Pattern COERCE = Pattern.compile("Cannot coerce [\\w-]+ value \\(([^)]*)\\) to `([^`]+)`.*$");
  /** "Numeric value (99999999999) out of range of int (-2147483648 - 2147483647)". */
  private static final Pattern RANGE = Pattern.compile("Numeric value \\(([^)]*)\\) out of range of (\\w+) \\((.*) - (.*)\\)$");

  private ParserMessages() {}

  public static String plain(String m) {
    if (m == null) {
      return "invalid value";
    }
    int nl = m.indexOf('\n');
    String s = nl < 0 ? m : m.substring(0, nl);
    s = FROM_LIMIT.matcher(s).replaceAll("");
    String typed = typeMismatch(s);
    if (typed != null) {
      return cut(typed);
    }
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
    return cut(sb.toString());
  }

  private static String cut(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " characters)";
  }

  /**
   * A value of the wrong JSON type as "expected a number, got \"abc\"" (or "got a list", "got 1.5", "99999999999
   * is out of range: at most 2147483647"); null when {@code s} is no such message.
   */
  static String typeMismatch(String s) {
    Matcher m = WRONG_TYPE.matcher(s);
    if (m.find()) {
      String expected = expected(m.group(1));
      if (expected == null) {
        return null;
      }
      String got = switch (m.group(2)) {
        case "String" -> {
          Matcher q = QUOTED_INPUT.matcher(m.group(3));
          yield q.find() ? q.group(1) : "a string";
        }
        case "Array" -> "a list";
        case "Object" -> "an object";
        case "Boolean" -> "true/false";
        case "Integer", "Floating", "Number" -> "a number";
        default -> m.group(2).toLowerCase(java.util.Locale.ROOT);
      };
      return "expected " + expected + ", got " + got;
    }
    m = COERCE.matcher(s);
    if (m.find() && expected(m.group(2)) != null) {
      return "expected " + expected(m.group(2)) + ", got " + m.group(1);
    }
    m = RANGE.matcher(s);
    if (m.find()) {
      return m.group(1) + " is out of range: at most " + m.group(4);
    }
    return null;
  }

  /** "a number" for `double`, `java.lang.Double`...; null for a type that is no plain JSON value. */
  private static String expected(String javaType) {
    String plain = TYPES.get(javaType);
    if (plain == null) {
      return null;
    }
    return switch (plain) {
      case "integer" -> "an integer";
      case "boolean" -> "true or false";
      default -> "a " + plain;
    };
  }
}
