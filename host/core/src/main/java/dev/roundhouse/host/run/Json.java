package dev.roundhouse.host.run;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one shared Jackson setup for everything Roundhouse writes: run config, provenance, checkpoint meta and
 * manifests, metrics lines.
 *
 * <ul>
 *   <li>Diffable: map entries sorted by key, bean/record properties sorted alphabetically, {@link JsonNode} object
 *       properties sorted ({@code JsonNodeFeature.WRITE_PROPERTIES_SORTED}). A polymorphic type id such as
 *       {@code "event"} is written first.
 *   <li>{@link #pretty} indents (2 spaces, {@code "key": value}, arrays on one line) and ends with a newline: files.
 *       {@link #line} is compact, one line, no newline: JSONL.
 *   <li>NaN and infinities: JSON has no literal for them. A {@code double}/{@code Double} that is not finite is
 *       written as {@code null} (never as a string a reader could mistake for text), and a {@code null} read into a
 *       primitive {@code double} becomes NaN again. The strings {@code "NaN"}, {@code "Infinity"} and bare
 *       {@code NaN} tokens written by other tools are accepted on input.
 *   <li>Records are supported (Jackson 2.17 native). {@link Instant} is written as ISO-8601 UTC
 *       ({@code 2026-11-22T12:03:01.123Z}).
 *   <li>Nulls are written (a resolved config keeps {@code "capacityFactor": null}); types that want to omit them
 *       say so with {@code @JsonInclude}.
 * </ul>
 * Thread-safe: the mapper and writers are immutable after construction.
 */
public final class Json {
  private static final ObjectMapper MAPPER = build();
  private static final ObjectWriter PRETTY = MAPPER.writer(prettyPrinter()).with(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectWriter COMPACT = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  /** The shared, configured mapper. Do not reconfigure it; use {@code mapper().reader...}/{@code writer...}. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Indented JSON with sorted keys and a trailing newline, for files. */
  public static String pretty(Object value) {
    try {
      return PRETTY.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + typeName(value) + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Compact single-line JSON with sorted keys and no newline, for JSONL. */
  public static String line(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + typeName(value) + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Converts any value (record, map, ...) to a tree. */
  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** Parses a JSON text; the message of a failure starts with {@code source}. */
  public static JsonNode parse(String json, String source) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": invalid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Reads a JSON file; errors name the file. */
  public static JsonNode read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /** Reads a JSON file into {@code type}; errors name the file. */
  public static <T> T read(Path file, Class<T> type) {
    try {
      return MAPPER.treeToValue(read(file), type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": " + e.getOriginalMessage(), e);
    }
  }

  /** SHA-256 (hex) of the canonical form of a value: compact JSON with sorted keys. Stable across runs. */
  public static String sha256(Object value) {
    return Sha256.hex(line(value).getBytes(StandardCharsets.UTF_8));
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }

  private static ObjectMapper build() {
    SimpleModule instants = new SimpleModule("roundhouse-instant");
    instants.addSerializer(Instant.class, new StdScalarSerializer<>(Instant.class) {
      @Override
      public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(value.toString());
      }
    });
    instants.addDeserializer(Instant.class, new StdScalarDeserializer<>(Instant.class) {
      @Override
      public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String text = p.getValueAsString();
        try {
          return Instant.parse(text);
        } catch (DateTimeParseException | NullPointerException e) {
          return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
        }
      }
    });
    instants.addSerializer(Double.class, new NonFiniteAsNull());
    instants.addSerializer(Double.TYPE, new NonFiniteAsNull());
    instants.addDeserializer(Double.TYPE, new NumberDeserializers.DoubleDeserializer(Double.TYPE, Double.NaN));
    return JsonMapper.builder()
        .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
        .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .addModule(instants)
        .build();
  }

  /** Finite doubles as numbers; NaN and infinities as null. */
  private static final class NonFiniteAsNull extends StdScalarSerializer<Double> {
    NonFiniteAsNull() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      if (value == null || !Double.isFinite(value)) {
        gen.writeNull();
      } else {
        gen.writeNumber(value);
      }
    }
  }

  private static DefaultPrettyPrinter prettyPrinter() {
    Separators separators = Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER);
    return new DefaultPrettyPrinter(separators);
  }
}
