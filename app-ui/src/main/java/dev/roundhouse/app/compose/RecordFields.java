package dev.roundhouse.app.compose;

import dev.roundhouse.app.compose.FieldSpec.FieldType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Form fields of a config record by reflection over its components: name, edit type and the
 * default its canonical constructor fills in when given nulls (the convention of every Roundhouse
 * config record: a null field takes its default).
 */
public final class RecordFields {
  private RecordFields() {}

  /** The fields of {@code type}, in component order. */
  public static List<FieldSpec> of(Class<? extends Record> type) {
    RecordComponent[] comps = type.getRecordComponents();
    Object defaults = defaults(type, comps);
    List<FieldSpec> out = new ArrayList<>();
    for (RecordComponent c : comps) {
      String def = "";
      if (defaults != null) {
        try {
          Object v = c.getAccessor().invoke(defaults);
          def = v == null ? "" : String.valueOf(v);
        } catch (ReflectiveOperationException e) {
          def = "";
        }
      }
      out.add(new FieldSpec(c.getName(), typeOf(c.getType()), c.getType().getSimpleName(), def));
    }
    return out;
  }

  static FieldType typeOf(Class<?> t) {
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
      return FieldType.INTEGER;
    }
    if (t == Double.class || t == double.class || t == Float.class || t == float.class) {
      return FieldType.DECIMAL;
    }
    if (t == Boolean.class || t == boolean.class) {
      return FieldType.BOOLEAN;
    }
    if (t == String.class) {
      return FieldType.TEXT;
    }
    if (t.getName().equals("com.fasterxml.jackson.databind.JsonNode")) {
      return FieldType.PLUGIN;
    }
    return FieldType.UNSUPPORTED;
  }

  /** The record built from all-null (zero for primitives) arguments, or null if it refuses them. */
  private static Object defaults(Class<? extends Record> type, RecordComponent[] comps) {
    Class<?>[] types = Arrays.stream(comps).map(RecordComponent::getType).toArray(Class<?>[]::new);
    Object[] args = new Object[comps.length];
    for (int i = 0; i < types.length; i++) {
      args[i] = zero(types[i]);
    }
    try {
      Constructor<? extends Record> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      return null; // the record needs some values: no defaults to show
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Object zero(Class<?> t) {
    if (!t.isPrimitive()) {
      return null;
    }
    if (t == boolean.class) {
      return false;
    }
    if (t == long.class) {
      return 0L;
    }
    if (t == double.class) {
      return 0.0;
    }
    if (t == float.class) {
      return 0f;
    }
    if (t == char.class) {
      return '\0';
    }
    if (t == byte.class) {
      return (byte) 0;
    }
    if (t == short.class) {
      return (short) 0;
    }
    return 0;
  }
}
