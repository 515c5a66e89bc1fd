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
    ObjectNode work = fields.deepCopy();
    java.util.List<String> problems = new java.util.ArrayList<>();
    Throwable firstCause = null;
    C bound = null;
    // every wrong field, not only the first: each one found is reported and dropped (so it takes its default) and
    // the section is read again
    for (int tries = 0; bound == null && tries <= fields.size(); tries++) {
      String drop;
      try {
        bound = mapper.treeToValue(work, type);
        break;
      } catch (UnrecognizedPropertyException e) {
        problems.add(join(path, e.getPropertyName()) + ": unknown field for " + what + " (known fields: "
            + componentNames(type) + ")");
        firstCause = firstCause == null ? e : firstCause;
        drop = e.getPropertyName();
      } catch (JsonMappingException e) {
        IllegalArgumentException iae = findIllegalArgument(e);
        firstCause = firstCause == null ? e : firstCause;
        if (iae != null) {
          problems.add(fromValidation(iae, type, path).getMessage());
          drop = fieldOf(iae, type);
        } else {
          problems.add(join(path, jsonPath(e)) + ": " + firstLine(e.getOriginalMessage()));
          drop = e.getPath().isEmpty() ? null : e.getPath().get(0).getFieldName();
        }
      } catch (JsonProcessingException e) {
        problems.add(path + ": " + firstLine(e.getOriginalMessage()));
        firstCause = firstCause == null ? e : firstCause;
        drop = null;
      } catch (IllegalArgumentException e) {
        problems.add(fromValidation(e, type, path).getMessage());
        firstCause = firstCause == null ? e : firstCause;
        drop = fieldOf(e, type);
      }
      if (drop == null || !work.has(drop)) {
        break;
      }
      work.remove(drop);
    }
    if (bound != null) {
      // "NaN", "Infinity" and 1e400 bind to non-finite doubles; no plugin can train with one
      Problems p = new Problems();
      FiniteNumbers.check(bound, path, p);
      problems.addAll(p.list());
    }
    if (problems.size() == 1) {
      throw new ConfigException(problems.get(0), firstCause);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(path, problems);
    }
    return bound;
  }

  /** The record component a compact-constructor message starts with ({@code "lr: must be > 0"}), or null. */
  private static String fieldOf(IllegalArgumentException e, Class<?> type) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    for (RecordComponent c : type.getRecordComponents()) {
      if (msg.startsWith(c.getName() + ":") || msg.startsWith(c.getName() + " ")) {
        return c.getName();
      }
    }
    return null;
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
