package dev.roundhouse.host.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.roundhouse.host.run.IoReasons;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a run config: JSON text -> overrides ({@code key.path=value}) -> unknown-key check -> typed
 * records with defaults -> structural checks. Every problem names its JSON path; all problems are
 * reported together where possible.
 */
public final class ConfigLoader {
  /** The embedded default: the tiny reference MoE (configs/tiny-moe.json) on the synthetic corpus. */
  public static final String DEFAULT_RESOURCE = "/dev/roundhouse/host/config/tiny-moe.json";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
      .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
      // "{...} }" in a file is malformed, and "--set name=2024 notes" stays the string, not 2024
      .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
      // {"lr": 1, "lr": 2} is a mistake, not "the last one wins"
      .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);

  private ConfigLoader() {}

  /** The JSON tree of a file, or of the embedded default when {@code file} is null. */
  public static ObjectNode readTree(Path file) {
    String source = file == null ? "default config" : file.toString();
    String text;
    try {
      if (file == null) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      } else {
        text = Files.readString(file);
      }
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, List.of("file not found"));
    } catch (CharacterCodingException e) {
      throw new ConfigException(source, List.of("not UTF-8 JSON (a binary or differently encoded file?)"));
    } catch (IOException e) {
      throw new ConfigException(source, List.of("cannot read: " + IoReasons.describe(e)));
    }
    try {
      JsonNode n = MAPPER.readTree(text);
      if (n == null || !n.isObject()) {
        throw new ConfigException(source, List.of("top level must be a JSON object"));
      }
      return (ObjectNode) n;
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, List.of(malformed(e)));
    }
  }

  /** "malformed JSON at line L, column C: reason" (no location where the parser gives none, e.g. nesting limits). */
  static String malformed(JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
      return "malformed JSON: nested deeper than 1000 levels, or a number or string beyond the parser's limits";
    }
    JsonLocation at = e.getLocation();
    String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return "malformed JSON" + where + ": " + cutMessage(e.getOriginalMessage());
  }

  /** A parser message, first line only and at most 200 characters (parsers quote the offending text). */
  static String cutMessage(String m) {
    return m == null ? "invalid JSON" : ParserMessages.plain(m);
  }

  /** Applies {@code a.b.c=value} overrides in place; value is parsed as JSON, else taken as a string. */
  public static void applyOverrides(ObjectNode root, List<String> overrides) {
    for (String o : overrides) {
      int eq = o.indexOf('=');
      String shown = "--set " + Problems.cut(o);
      if (eq <= 0) {
        throw new ConfigException(shown, List.of("expected key.path=value"));
      }
      String key = o.substring(0, eq);
      String[] keys = key.split("\\.", -1);
      if (Arrays.stream(keys).anyMatch(String::isEmpty)) {
        throw new ConfigException(shown, List.of("empty key in '" + Problems.cut(key) + "'"));
      }
      if (o.substring(eq + 1).isBlank()) {
        // usually an unset shell variable: silently keeping the default would hide it
        throw new ConfigException(shown, List.of(key + ": empty value (write " + key + "=null for the default, " + key
            + "='\"\"' for an empty string)"));
      }
      JsonNode value;
      try {
        value = MAPPER.readTree(o.substring(eq + 1));
      } catch (JsonProcessingException e) {
        value = null;
      }
      if (value == null || value.isMissingNode()) {
        value = JsonNodeFactory.instance.textNode(o.substring(eq + 1));
      }
      ObjectNode node = root;
      for (int i = 0; i < keys.length - 1; i++) {
        JsonNode child = node.get(keys[i]);
        if (child == null || !child.isObject()) {
          child = node.putObject(keys[i]);
        }
        node = (ObjectNode) child;
      }
      node.set(keys[keys.length - 1], value);
    }
  }

  /** Binds and checks; throws a {@link ConfigException} listing every problem found. */
  public static RunConfig bind(ObjectNode root, String source) {
    Bound b = bindAll(root);
    if (!b.problems().isEmpty()) {
      throw new ConfigException(source, b.problems());
    }
    return b.config();
  }

  /**
   * A config bound as far as it can be, with every problem found.
   *
   * @param config the config with each field that could not be read left to its default (null only when the
   *     top level itself cannot be read); use it only to find further problems when {@code problems} is not empty
   * @param problems every problem, each starting with its field's JSON path
   */
  public record Bound(RunConfig config, List<String> problems) {}

  /**
   * Binds {@code root} (not changed) reporting every problem, not only the first: unknown keys, each field of the
   * wrong type or rejected by its record (that field then takes its default, so that binding goes on), and the
   * checks of the bound values ({@link RunConfig#check()}, finite numbers).
   */
  public static Bound bindAll(ObjectNode root) {
    ObjectNode tree = root.deepCopy();
    Problems problems = new Problems();
    unknownKeys(tree, RunConfig.class, "", problems);
    TokenizerVocab.apply(tree, MAPPER, problems);
    RunConfig cfg = null;
    for (int tries = 0; cfg == null && tries < MAX_BIND_TRIES; tries++) {
      try {
        cfg = MAPPER.treeToValue(tree, RunConfig.class);
      } catch (JsonMappingException e) {
        problems.add(fieldPath(e), fieldMessage(e));
        if (!removeAt(tree, e.getPath())) {
          break;
        }
      } catch (JsonProcessingException e) {
        problems.add("config", cutMessage(e.getOriginalMessage()));
        break;
      }
    }
    if (cfg != null) {
      Problems checks = cfg.check();
      FiniteNumbers.check(cfg, "", checks);
      checks.list().forEach(problems::addLine);
    }
    return new Bound(cfg, problems.list());
  }

  /** More wrong fields than this in one config are not looked for one by one. */
  private static final int MAX_BIND_TRIES = 100;

  /**
   * The JSON path of a binding failure: the field's own path, or for a record's own check (e.g. DataSpec's), whose
   * message starts with the field name ({@code "valFraction must be ..."} or {@code "valFraction: must ..."}), the
   * record's path plus that field.
   */
  private static String fieldPath(JsonMappingException e) {
    IllegalArgumentException iae = recordCheck(e);
    String field = iae == null ? null : leadingField(iae.getMessage());
    String at = path(e);
    return field == null ? (at.isEmpty() ? "config" : at) : (at.isEmpty() ? field : at + "." + field);
  }

  private static String fieldMessage(JsonMappingException e) {
    IllegalArgumentException iae = recordCheck(e);
    if (iae == null) {
      return cutMessage(e.getOriginalMessage());
    }
    String m = iae.getMessage();
    String field = leadingField(m);
    return cutMessage(field == null ? m : m.substring(field.length()).replaceFirst("^:?\\s*", ""));
  }

  private static IllegalArgumentException recordCheck(JsonMappingException e) {
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof IllegalArgumentException iae && iae.getMessage() != null) {
        return iae;
      }
    }
    return null;
  }

  private static String leadingField(String m) {
    java.util.regex.Matcher f = java.util.regex.Pattern.compile("^([A-Za-z]+):?\\s").matcher(m);
    return f.find() ? f.group(1) : null;
  }

  /** Removes the node a binding failure points at, so the next try binds its default; false if there is none. */
  private static boolean removeAt(ObjectNode tree, List<JsonMappingException.Reference> at) {
    if (at.isEmpty()) {
      return false;
    }
    JsonNode parent = tree;
    for (int i = 0; i < at.size() - 1; i++) {
      JsonMappingException.Reference r = at.get(i);
      parent = r.getFieldName() != null ? parent.get(r.getFieldName()) : parent.get(r.getIndex());
      if (parent == null) {
        return false;
      }
    }
    JsonMappingException.Reference last = at.get(at.size() - 1);
    if (last.getFieldName() != null && parent instanceof ObjectNode o && o.has(last.getFieldName())) {
      o.remove(last.getFieldName());
      return true;
    }
    if (last.getFieldName() == null && parent instanceof ArrayNode a && last.getIndex() >= 0
        && last.getIndex() < a.size()) {
      a.set(last.getIndex(), com.fasterxml.jackson.databind.node.NullNode.getInstance());
      return true;
    }
    return false;
  }

  public static RunConfig load(Path file, List<String> overrides) {
    ObjectNode root = readTree(file);
    applyOverrides(root, overrides);
    return bind(root, file == null ? "default config" : file.toString());
  }

  /** The resolved config (defaults filled) as a JSON tree. */
  public static ObjectNode toTree(RunConfig cfg) {
    return MAPPER.valueToTree(cfg);
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  private static void unknownKeys(JsonNode node, Class<?> type, String path, Problems p) {
    if (!type.isRecord() || !node.isObject()) {
      return;
    }
    RecordComponent[] comps = type.getRecordComponents();
    List<String> known = Arrays.stream(comps).map(RecordComponent::getName).toList();
    List<String> unknown = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(k -> {
      if (!known.contains(k)) {
        p.add(path.isEmpty() ? Problems.cut(k) : path + "." + Problems.cut(k), "unknown key (known: " + String.join(", ", known) + ")");
        unknown.add(k);
      }
    });
    ((ObjectNode) node).remove(unknown); // reported; binding goes on without them
    for (RecordComponent c : comps) {
      JsonNode child = node.get(c.getName());
      String childPath = path.isEmpty() ? c.getName() : path + "." + c.getName();
      if (child != null && c.getType().isRecord()) {
        unknownKeys(child, c.getType(), childPath, p);
      } else if (child instanceof ArrayNode arr && c.getGenericType() instanceof ParameterizedType pt) {
        Type arg = pt.getActualTypeArguments()[0];
        if (arg instanceof Class<?> cls && cls.isRecord()) {
          for (int i = 0; i < arr.size(); i++) {
            unknownKeys(arr.get(i), cls, childPath + "[" + i + "]", p);
          }
        }
      }
    }
  }

}
