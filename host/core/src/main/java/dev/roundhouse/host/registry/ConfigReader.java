package dev.roundhouse.host.registry;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.FiniteNumbers;
import dev.roundhouse.host.config.Problems;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads a component's JSON fields into its config record with Jackson and turns every failure into
 * a {@link ConfigException} that starts with the JSON path of the field at fault.
 */
final class ConfigReader {
  private final ObjectMapper mapper =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * @param fields the component object without its {@code "type"} field
   * @param path JSON path of the component object, e.g. {@code model.router}
   * @param what for messages, e.g. {@code router 'softmax-topk'}
   */
  <C extends Record> C read(ObjectNode fields, Class<C> type, String path, String what) {
    C bound;
    try {
      bound = mapper.treeToValue(fields, type);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          join(path, e.getPropertyName()) + ": unknown field for " + what + " (known fields: "
              + componentNames(type) + ")", e);
    } catch (JsonMappingException e) {
      IllegalArgumentException iae = findIllegalArgument(e);
      if (iae != null) {
        throw fromValidation(iae, type, path);
      }
      throw new ConfigException(join(path, jsonPath(e)) + ": " + firstLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(path + ": " + firstLine(e.getOriginalMessage()), e);
    } catch (IllegalArgumentException e) {
      throw fromValidation(e, type, path);
    }
    // "NaN", "Infinity" and 1e400 bind to non-finite doubles; no plugin can train with one
    Problems p = new Problems();
    FiniteNumbers.check(bound, path, p);
    if (!p.isEmpty()) {
      throw new ConfigException(String.join("; ", p.list()));
    }
    return bound;
  }

  /**
   * Each record component as {@code name=default}: what the compact constructor fills in for an empty
   * JSON object, as JSON ({@code null}: left to the component, e.g. "same as the model's"); or {@code name
   * (Type)} for every component when the record cannot be made from an empty object (a field is
   * required). For listings ({@code roundhouse plugins}).
   */
  java.util.List<String> fieldsWithDefaults(Class<? extends Record> type) {
    Record defaults;
    try {
      defaults = mapper.treeToValue(mapper.createObjectNode(), type);
    } catch (JsonProcessingException | RuntimeException e) {
      defaults = null;
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      Object value = null;
      if (defaults != null) {
        try {
          value = c.getAccessor().invoke(defaults);
        } catch (ReflectiveOperationException | RuntimeException e) {
          value = null;
        }
      }
      out.add(defaults == null ? c.getName() + " (" + c.getType().getSimpleName() + ")"
          : c.getName() + "=" + asJson(value));
    }
    return out;
  }

  private String asJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  /**
   * A compact-constructor check failed. Its message conventionally starts with the field name
   * ({@code "auxLossCoef: must be >= 0"}); then the field joins the path, otherwise the message
   * follows the component's path.
   */
  static ConfigException fromValidation(IllegalArgumentException e, Class<?> type, String path) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
    if (type.isRecord()) {
      for (RecordComponent c : type.getRecordComponents()) {
        String name = c.getName();
        if (msg.startsWith(name + ":") || msg.startsWith(name + " ")) {
          return new ConfigException(join(path, msg), e);
        }
      }
    }
    return new ConfigException(path + ": " + msg, e);
  }

  private static IllegalArgumentException findIllegalArgument(Throwable t) {
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof IllegalArgumentException iae) {
        return iae;
      }
    }
    return null;
  }

  /** {@code "lr"} or {@code "groups[2].lr"} from Jackson's reference chain. */
  private static String jsonPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  static String join(String path, String field) {
    if (field == null || field.isEmpty()) {
      return path;
    }
    if (path == null || path.isEmpty()) {
      return field;
    }
    return field.startsWith("[") ? path + field : path + "." + field;
  }

  private static String componentNames(Class<?> type) {
    if (!type.isRecord() || type.getRecordComponents().length == 0) {
      return "none";
    }
    return Arrays.stream(type.getRecordComponents())
        .map(RecordComponent::getName)
        .collect(Collectors.joining(", "));
  }

  private static String firstLine(String s) {
    return dev.roundhouse.host.config.ParserMessages.plain(s);
  }
}
